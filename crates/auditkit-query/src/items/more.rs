//! The user-space, login, daemon, network, AVC and kernel-anomaly record
//! parsers of [`super`]. Same conventions: positions into the record
//! text, `Err(code)` with ausearch's return code.

use super::*;

impl P<'_, '_> {
    /// USER_* records (and USER_AVC through [`Self::avc`], with `avc`).
    pub(super) fn user(&mut self, mut avc: Option<&mut Avc>) -> R {
        let m = self.m;
        let w = self.w;
        let mut term = 0usize;
        if w.pid {
            let ptr = self.find(term, b"pid=").ok_or(1)? + 4;
            term = self.chr(ptr, b' ').ok_or(2)?;
            self.s.pid = ul(m, ptr, 3)? as i32;
        }
        if w.uid {
            let ptr = self.find(term, b"uid=").ok_or(4)? + 4;
            term = self.chr(ptr, b' ').ok_or(5)?;
            self.s.uid = ul(m, ptr, 6)? as u32;
            self.s.tuid = Some(self.s.uid);
        }
        if w.loginuid {
            let ptr = match self.find(term, b"auid=") {
                Some(p) => p + 5,
                None => self.find(term, b"loginuid=").ok_or(7)? + 9,
            };
            term = self.chr(ptr, b' ').ok_or(8)?;
            self.s.loginuid = ul(m, ptr, 9)? as u32;
            self.s.tauid = Some(self.s.loginuid);
        }
        if w.session {
            if let Some(str) = self.find(term, b"ses=") {
                let ptr = str + 4;
                term = self.chr(ptr, b' ').ok_or(10)?;
                self.s.session_id = ul(m, ptr, 11)? as u32;
            }
        }
        if w.subject {
            if let Some(str) = self.find(term, b"subj=") {
                let str = str + 5;
                term = self.chr(str, b' ').ok_or(12)?;
                let v = m[str..term].to_vec();
                match avc.as_deref_mut() {
                    Some(a) => a.scontext = Some(v),
                    None => self.push_subj(v),
                }
            }
        }
        if let (Some(a), true) = (avc, w.object) {
            if let Some(str) = self.find(term, b"tcontext=") {
                let str = str + 9;
                match self.chr(str, b' ') {
                    Some(t) => {
                        term = t;
                        a.tcontext = Some(m[str..t].to_vec());
                    }
                    None => term = str,
                }
            }
            if let Some(str) = self.find(term, b"tclass=") {
                let str = str + 7;
                term = match self.chr(str, b' ') {
                    Some(t) => {
                        a.class = Some(m[str..t].to_vec());
                        t
                    }
                    None => str,
                };
            }
        }
        if w.gid && matches!(self.t, ADD_GROUP | DEL_GROUP | GRP_MGMT) {
            let mut str = self.find(term, b" id=");
            if str.is_none() && self.t == GRP_MGMT {
                str = self.find(term, b"gid=");
            }
            if let Some(str) = str {
                let ptr = str + 4;
                term = self.chr(ptr, b' ').ok_or(31)?;
                self.s.gid = ul(m, ptr, 32)? as u32;
            }
        }
        if w.vmname {
            if let Some(str) = self.find(term, b"vm=") {
                self.s.vmname = self.take_str(str + 3, 23, &mut term)?;
            }
        }
        if w.uuid {
            if let Some(str) = self.find(term, b"uuid=") {
                let str = str + 5;
                let mut t = str;
                while !matches!(at(m, t), b' ' | b':' | 0) {
                    t += 1;
                }
                if t == str {
                    return Err(24);
                }
                term = t;
                self.s.uuid = Some(m[str..t].to_vec());
            }
        }
        if self.t == VIRT_MACHINE_ID {
            if w.subject {
                if let Some(str) = self.find(term, b"vm-ctx=") {
                    let str = str + 7;
                    term = self.chr(str, b' ').ok_or(27)?;
                    self.push_subj(m[str..term].to_vec());
                }
            }
            if w.object {
                if let Some(str) = self.find(term, b"img-ctx=") {
                    let str = str + 8;
                    term = self.chr(str, b' ').ok_or(29)?;
                    self.push_obj(m[str..term].to_vec());
                }
            }
        } else if self.t == VIRT_RESOURCE && w.filename {
            let found = match self.find(term, b" path=") {
                Some(p) => Some(p + 6),
                None => self.find(term, b" new-disk=").map(|p| p + 10),
            };
            if let Some(str) = found {
                self.common_path(str)?;
                term = str;
            }
        }
        // Some records carry the interesting uid second (USER_LOGIN's
        // `uid=` inside msg=''), so look again after what was read.
        if w.uid {
            while let Some(str) = self.find(term, b"uid=") {
                match self.prev(str) {
                    b'a' => {
                        term = str + 1;
                        continue;
                    }
                    b's' | b'u' => break,
                    b'\'' | b' ' => {}
                    _ => return Err(25),
                }
                let ptr = str + 4;
                let mut t = ptr;
                while at(m, t).is_ascii_digit() {
                    t += 1;
                }
                if t == ptr {
                    return Err(14);
                }
                term = t;
                self.s.uid = ul(m, ptr, 15)? as u32;
                self.s.tuid = Some(self.s.uid);
                break;
            }
        }
        let mut mptr = term;
        if w.comm {
            if let Some(str) = self.find(mptr, b"comm=") {
                self.s.comm = self.take_str(str + 5, 16, &mut term)?;
            }
        }
        if let Some(str) = self.find(mptr, b"acct=") {
            let ptr = str + 5;
            if at(m, ptr) == b'"' {
                let mut t = ptr + 1;
                while !matches!(at(m, t), b'"' | 0) {
                    t += 1;
                }
                self.s.acct = Some(m[ptr + 1..t.min(m.len())].to_vec());
                term = t;
            } else {
                let (v, end) = self.quoted_or_legacy(ptr, 0)?;
                self.s.acct = v;
                term = end;
            }
        }
        mptr = term;
        if w.hostname {
            if let Some(str) = self.find(mptr, b"hostname=") {
                let str = str + 9;
                let t = self
                    .chr(str, b',')
                    .or_else(|| self.chr(str, b' '))
                    .ok_or(17)?;
                self.s.hostname = Some(m[str..t].to_vec());
                if self.s.hostname.as_deref() == Some(b"?") {
                    if let Some(a) = self.find(t + 1, b"addr=") {
                        let a = a + 5;
                        let t2 = self.chr(a, b',').or_else(|| self.chr(a, b' ')).ok_or(18)?;
                        self.s.hostname = Some(m[a..t2].to_vec());
                    }
                }
            }
        }
        if w.filename {
            if let Some(str) = self.find(mptr, b"cwd=") {
                let (v, _) = self.quoted_or_legacy(str + 4, 20)?;
                self.s.cwd = v;
            }
        }
        if w.terminal {
            if let Some(str) = self.find(mptr, b"terminal=") {
                let str = str + 9;
                let t = self
                    .chr(str, b' ')
                    .or_else(|| self.chr(str, b')'))
                    .ok_or(19)?;
                self.s.terminal = Some(m[str..t].to_vec());
            }
        }
        if w.exe {
            if let Some(str) = self.find(mptr, b"exe=") {
                let (v, _) = self.quoted_or_legacy(str + 4, 26)?;
                self.s.exe = v;
            }
        }
        if w.success {
            if let Some(str) = self.find(mptr, b"res=") {
                let ptr = str + 4;
                let t = self.chr(ptr, b'\'').ok_or(21)?;
                self.s.success = if m[ptr..t].starts_with(b"failed") {
                    S_FAILED
                } else {
                    S_SUCCESS
                };
            } else if let Some(str) = self.find(mptr, b"result=") {
                let ptr = str + 7;
                let t = self.chr(ptr, b')').ok_or(22)?;
                self.s.success = if m[ptr..t].eq_ignore_ascii_case(b"success") {
                    S_SUCCESS
                } else {
                    S_FAILED
                };
            }
        }
        Ok(())
    }

    pub(super) fn login(&mut self) -> R {
        let m = self.m;
        let w = self.w;
        let mut term: Option<usize> = Some(0);
        let t0 = |t: Option<usize>| t.unwrap_or(0);
        if w.pid {
            let ptr = self.find(t0(term), b"pid=").ok_or(1)? + 4;
            term = Some(self.chr(ptr, b' ').ok_or(2)?);
            self.s.pid = ul(m, ptr, 3)? as i32;
        }
        if w.uid {
            let ptr = self.find(t0(term), b"uid=").ok_or(4)? + 4;
            term = Some(self.chr(ptr, b' ').ok_or(5)?);
            self.s.uid = ul(m, ptr, 6)? as u32;
            self.s.tuid = Some(self.s.uid);
        }
        if w.subject {
            if let Some(str) = self.find(t0(term), b"subj=") {
                let t = self.chr(str + 5, b' ').ok_or(12)?;
                term = Some(t);
                // ausearch keeps "subj=" in the value here.
                self.push_subj(m[str..t].to_vec());
            }
        }
        if w.loginuid {
            let from = t0(term);
            let ptr = if let Some(p) = self.find(from, b"new auid=") {
                p + 9
            } else if let Some(p) = self.find(from, b" auid=") {
                p + 6
            } else {
                self.find(from, b"new loginuid=").ok_or(7)? + 13
            };
            term = self.chr(ptr, b' ');
            self.s.loginuid = ul(m, ptr, 8)? as u32;
            self.s.tauid = Some(self.s.loginuid);
        }
        if w.success {
            match self.find(t0(term), b"res=") {
                Some(str) => {
                    let ptr = str + 4;
                    term = self.chr(ptr, b' ');
                    self.s.success = ul(m, ptr, 9)? as i32;
                }
                None => self.s.success = S_SUCCESS,
            }
        }
        if w.session {
            let from = t0(term);
            let ptr = match self.find(from, b"new ses=") {
                Some(p) => p + 8,
                None => self.find(from, b" ses=").ok_or(14)? + 5,
            };
            self.s.session_id = ul(m, ptr, 11)? as u32;
        }
        Ok(())
    }

    pub(super) fn daemon1(&mut self) -> R {
        let m = self.m;
        let w = self.w;
        let mptr = self.chr(0, b')').unwrap_or(0);
        let mut term = mptr;
        if w.loginuid {
            let ptr = self.find(mptr, b"auid=").ok_or(1)? + 5;
            term = self.chr(ptr, b' ').ok_or(2)?;
            self.s.loginuid = ul(m, ptr, 3)? as u32;
            self.s.tauid = Some(self.s.loginuid);
        }
        if w.pid {
            let ptr = self.find(term, b"pid=").ok_or(4)? + 4;
            term = self.chr(ptr, b' ').ok_or(5)?;
            self.s.pid = ul(m, ptr, 6)? as i32;
        }
        if w.uid {
            if let Some(str) = self.find(term, b" uid=") {
                let ptr = str + 5;
                term = self.chr(ptr, b' ').ok_or(7)?;
                self.s.uid = ul(m, ptr, 8)? as u32;
            }
        }
        if w.session {
            if let Some(str) = self.find(term, b"ses=") {
                let ptr = str + 4;
                term = self.chr(ptr, b' ').ok_or(9)?;
                self.s.session_id = ul(m, ptr, 10)? as u32;
            }
        }
        if w.subject {
            if let Some(str) = self.find(term, b"subj=") {
                let str = str + 5;
                let v = span(m, str, self.chr(str, b' '));
                self.push_subj(v);
            }
        }
        if w.success {
            self.res_word(mptr, 12)?;
        }
        Ok(())
    }

    pub(super) fn daemon2(&mut self) -> R {
        let m = self.m;
        let mut term = 0;
        if self.w.hostname {
            if let Some(str) = self.find(0, b"addr=") {
                let str = str + 5;
                term = self
                    .chr(str, b':')
                    .or_else(|| self.chr(str, b' '))
                    .ok_or(1)?;
                self.s.hostname = Some(m[str..term].to_vec());
            }
        }
        if self.w.success {
            self.res_word(term, 2)?;
        }
        Ok(())
    }

    pub(super) fn sockaddr(&mut self) -> R {
        let w = self.w;
        if !(w.hostname || w.filename) {
            return Ok(());
        }
        let Some(str) = self.find(0, b"saddr=") else {
            return Ok(());
        };
        let m = self.m;
        let str = str + 6;
        let rest = crate::cstr::cstr_at(m, str);
        let (len, buf) = if rest.first() == Some(&b'(') {
            let len = memchr::memchr(b')', rest).map_or(0, |p| p + 1);
            let Some(v) = unescape(rest) else {
                return Err(4);
            };
            (len, v)
        } else {
            let n = rest.iter().take_while(|c| c.is_ascii_hexdigit()).count();
            if n < 2 {
                return Err(4);
            }
            (n / 2, unescape_bytes(&rest[..n]))
        };
        let b = |i: usize| buf.get(i).copied().unwrap_or(0);
        let family = u16::from_le_bytes([b(0), b(1)]);
        self.s.hostname = None;
        let host = match family {
            2 => {
                if len < 16 {
                    return Err(1);
                }
                std::net::Ipv4Addr::new(b(4), b(5), b(6), b(7)).to_string()
            }
            10 => {
                if len < 28 {
                    return Err(2);
                }
                let mut a = [0u8; 16];
                for (i, x) in a.iter_mut().enumerate() {
                    *x = b(8 + i);
                }
                let ip = std::net::Ipv6Addr::from(a);
                let scope = u32::from_le_bytes([b(24), b(25), b(26), b(27)]);
                if scope != 0 && (ip.segments()[0] & 0xffc0) == 0xfe80 {
                    format!("{ip}%{scope}")
                } else {
                    ip.to_string()
                }
            }
            1 => {
                if len < 4 {
                    return Err(3);
                }
                if w.filename {
                    let path = if b(2) != 0 {
                        &buf[2..]
                    } else {
                        &buf[3.min(buf.len())..]
                    };
                    let path = crate::cstr::cstr_at(path, 0).to_vec();
                    self.s.filename.get_or_insert_with(Vec::new).push(path);
                }
                return Ok(());
            }
            _ => return Ok(()),
        };
        if w.hostname {
            self.s.hostname = Some(host.into_bytes());
        }
        Ok(())
    }

    pub(super) fn integrity(&mut self) -> R {
        let m = self.m;
        let w = self.w;
        let mut term = 0usize;
        if let Some(str) = self.find(term, b"pid=") {
            let ptr = str + 4;
            term = self.chr(ptr, b' ').ok_or(1)?;
            self.s.pid = ul(m, ptr, 2)? as i32;
        }
        if w.uid {
            if let Some(str) = self.find(term, b" uid=") {
                // ausearch reads from the '=' here, so the uid is always 0.
                let ptr = str + 4;
                term = self.chr(ptr, b' ').ok_or(3)?;
                self.s.uid = ul(m, ptr, 4)? as u32;
                self.s.tuid = Some(self.s.uid);
            }
        }
        if w.loginuid {
            if let Some(str) = self.find(0, b"auid=") {
                let ptr = str + 5;
                term = self.chr(ptr, b' ').ok_or(5)?;
                self.s.loginuid = ul(m, ptr, 6)? as u32;
                self.s.tauid = Some(self.s.loginuid);
            }
        }
        if w.session {
            if let Some(str) = self.find(term, b"ses=") {
                let ptr = str + 4;
                term = self.chr(ptr, b' ').ok_or(10)?;
                self.s.session_id = ul(m, ptr, 11)? as u32;
            }
        }
        if w.subject {
            if let Some(str) = self.find(term, b"subj=") {
                let str = str + 5;
                term = self.chr(str, b' ').ok_or(12)?;
                self.push_subj(m[str..term].to_vec());
            }
        }
        if w.comm {
            if let Some(str) = self.find(term, b"comm=") {
                self.s.comm = self.take_str(str + 5, 7, &mut term)?;
            }
        }
        if w.filename {
            if let Some(str) = self.find(term, b" name=") {
                self.common_path(str + 6).map_err(|_| 8)?;
            }
        }
        if w.success {
            if let Some(str) = self.find(term, b"res=") {
                self.s.success = ul(m, str + 4, 9)? as i32;
            }
        }
        Ok(())
    }

    pub(super) fn avc(&mut self) -> R {
        let m = self.m;
        let w = self.w;
        let mut an = Avc::default();
        let mut term = 0usize;
        if let Some(str) = self.find(0, b"avc: ") {
            let str = str + 5;
            match self.chr(str, b'{') {
                None => term = 0,
                Some(brace) => {
                    if w.success {
                        let denied = memchr::memmem::find(&m[str..brace], b"denied").is_some();
                        self.s.success = if denied { S_FAILED } else { S_SUCCESS };
                        an.result = if denied { AVC_DENIED } else { AVC_GRANTED };
                    }
                    let mut p = brace + 1;
                    while at(m, p) == b' ' {
                        p += 1;
                    }
                    let mut t = self.chr(p, b'}').ok_or(2)?;
                    while t > 0 && at(m, t - 1) == b' ' {
                        t -= 1;
                    }
                    an.perm = Some(m[p.min(t)..t].to_vec());
                    term = t;
                }
            }
        }
        if self.t == USER_AVC {
            let mut rc = match self.user(Some(&mut an)) {
                Ok(()) => 0,
                Err(c) => c,
            };
            if rc > 20 {
                rc = 0;
            }
            self.s.avc.get_or_insert_with(Vec::new).push(an);
            return if rc == 0 { Ok(()) } else { Err(rc) };
        }
        if w.pid {
            if let Some(str) = self.find(term, b"pid=") {
                let str = str + 4;
                term = self.chr(str, b' ').ok_or(3)?;
                self.s.pid = ul(m, str, 4)? as i32;
            }
        }
        if w.comm && self.s.comm.is_none() {
            let str = self.find(term, b"comm=").ok_or(5)? + 5;
            if at(m, str) == b'"' {
                term = self.chr(str + 1, b'"').ok_or(6)?;
                self.s.comm = Some(m[str + 1..term].to_vec());
            } else {
                self.s.comm = Some(unescape(&m[str..]).ok_or(11)?);
                term = str + 6;
            }
        }
        if w.filename {
            if let Some(str) = self.find(term, b" path=") {
                self.common_path(str + 6)?;
                term += 7;
            } else if let Some(str) = self.find(term, b" name=") {
                self.common_path(str + 6)?;
                term += 7;
            }
        }
        if w.subject {
            if let Some(str) = self.find(term, b"scontext=") {
                let str = str + 9;
                term = self.chr(str, b' ').ok_or(7)?;
                an.scontext = Some(m[str..term].to_vec());
            }
        }
        if w.object {
            if let Some(str) = self.find(term, b"tcontext=") {
                let str = str + 9;
                term = self.chr(str, b' ').ok_or(8)?;
                an.tcontext = Some(m[str..term].to_vec());
            }
        }
        // The class is required: an AVC without tclass= (AppArmor) fails.
        let str = self.find(term, b"tclass=").ok_or(9)? + 7;
        let end = self.chr(str, b' ').unwrap_or(m.len());
        an.class = Some(m[str..end].to_vec());
        self.s.avc.get_or_insert_with(Vec::new).push(an);
        Ok(())
    }
}

mod kernel;
