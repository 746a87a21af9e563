//! Kernel-side records with a subject-attribute tail: anomalies, SECCOMP,
//! CONFIG_CHANGE and MAC policy messages, TTY, NETFILTER.

use super::super::*;

impl P<'_, '_> {
    pub(in crate::items) fn kernel_anom(&mut self) -> R {
        let m = self.m;
        let w = self.w;
        let mut term = 0usize;
        if w.loginuid {
            let ptr = self.find(term, b"auid=").ok_or(1)? + 5;
            term = self.chr(ptr, b' ').unwrap_or(ptr);
            self.s.loginuid = ul(m, ptr, 2)? as u32;
            self.s.tauid = Some(self.s.loginuid);
        }
        if w.uid {
            if let Some(str) = self.find(term, b"uid=") {
                let ptr = str + 4;
                term = self.chr(ptr, b' ').ok_or(3)?;
                self.s.uid = ul(m, ptr, 4)? as u32;
                self.s.tuid = Some(self.s.uid);
            }
        }
        if w.gid {
            if let Some(str) = self.find(term, b"gid=") {
                let ptr = str + 4;
                term = self.chr(ptr, b' ').ok_or(5)?;
                self.s.gid = ul(m, ptr, 6)? as u32;
            }
        }
        if w.session {
            if let Some(str) = self.find(term, b"ses=") {
                let ptr = str + 4;
                term = self.chr(ptr, b' ').unwrap_or(ptr);
                self.s.session_id = ul(m, ptr, 7)? as u32;
            }
        }
        if self.t == ANOM_PROMISCUOUS {
            return Ok(());
        }
        if w.subject {
            if let Some(str) = self.find(term, b"subj=") {
                let str = str + 5;
                term = self.chr(str, b' ').ok_or(8)?;
                self.push_subj(m[str..term].to_vec());
            }
        }
        if w.pid {
            if let Some(str) = self.find(term, b"pid=") {
                let ptr = str + 4;
                term = self.chr(ptr, b' ').ok_or(10)?;
                self.s.pid = ul(m, ptr, 11)? as i32;
            }
        }
        if w.comm {
            if let Some(str) = self.find(term, b"comm=") {
                self.s.comm = self.take_str(str + 5, 12, &mut term)?;
            }
        }
        if w.exe {
            match self.find(term, b"exe=") {
                Some(str) => {
                    self.s.exe = self.take_str(str + 4, 13, &mut term)?;
                }
                None if self.t != ANOM_ABEND => return Err(14),
                None => {}
            }
        }
        if self.t == SECCOMP {
            // A few kernel versions have no arch=: then nothing more.
            let Some(str) = self.find(term, b"arch=") else {
                return Ok(());
            };
            let ptr = str + 5;
            term = self.chr(ptr, b' ').ok_or(15)?;
            self.s.arch = strtoul(&m[ptr..], 16).map_err(|_| 16)? as i32;
            let ptr = self.find(term, b"syscall=").ok_or(17)? + 8;
            term = self.chr(ptr, b' ').ok_or(18)?;
            self.s.syscall = ul(m, ptr, 19)? as i32;
        }
        if w.success {
            if let Some(str) = self.find(term, b"res=") {
                self.s.success = ul(m, str + 4, 68)? as i32;
            }
        }
        Ok(())
    }

    pub(in crate::items) fn simple_message(&mut self) -> R {
        let m = self.m;
        let w = self.w;
        let mut term = 0usize;
        if w.loginuid {
            let str = self.find(term, b"auid=");
            if str.is_none() && self.t != CONFIG_CHANGE {
                return Err(1);
            }
            if let Some(str) = str {
                let ptr = str + 5;
                term = self.chr(ptr, b' ').unwrap_or(ptr);
                self.s.loginuid = ul(m, ptr, 2)? as u32;
                self.s.tauid = Some(self.s.loginuid);
            }
        }
        if w.session {
            if let Some(str) = self.find(term, b"ses=") {
                let ptr = str + 4;
                term = self.chr(ptr, b' ').unwrap_or(ptr);
                self.s.session_id = ul(m, ptr, 3)? as u32;
            }
        }
        if w.subject {
            if let Some(str) = self.find(term, b"subj=") {
                let str = str + 5;
                let t = self.chr(str, b' ');
                self.push_subj(span(m, str, t));
                term = t.unwrap_or(str);
            }
        }
        if w.key {
            if let Some(str) = self.find(term, b"key=") {
                if let Some(t) = self.keys(str + 4, 6, 8)? {
                    term = t;
                }
            }
        }
        // The kernel logs no res for these: success unless res= says not.
        if self.t == CONFIG_CHANGE {
            self.s.success = S_SUCCESS;
        }
        if w.success {
            if let Some(str) = self.find(term, b"res=") {
                self.s.success = ul(m, str + 4, 7)? as i32;
            }
        }
        Ok(())
    }

    pub(in crate::items) fn tty(&mut self) -> R {
        let m = self.m;
        let w = self.w;
        let mut term = 0usize;
        if w.pid {
            if let Some(str) = self.find(0, b"pid=") {
                let ptr = str + 4;
                term = self.chr(ptr, b' ').ok_or(1)?;
                self.s.pid = ul(m, ptr, 2)? as i32;
            }
        }
        if w.uid {
            if let Some(str) = self.find(term, b" uid=") {
                // Read from the '=' as ausearch does: always 0.
                let ptr = str + 4;
                term = self.chr(ptr, b' ').ok_or(3)?;
                self.s.uid = ul(m, ptr, 4)? as u32;
                self.s.tuid = Some(self.s.uid);
            }
        }
        if w.loginuid {
            let ptr = self.find(term, b"auid=").ok_or(5)? + 5;
            term = self.chr(ptr, b' ').unwrap_or(ptr);
            self.s.loginuid = ul(m, ptr, 6)? as u32;
            self.s.tauid = Some(self.s.loginuid);
        }
        if w.session {
            if let Some(str) = self.find(term, b"ses=") {
                let ptr = str + 4;
                term = self.chr(ptr, b' ').ok_or(7)?;
                self.s.session_id = ul(m, ptr, 8)? as u32;
            }
        }
        if w.comm {
            if let Some(str) = self.find(term, b"comm=") {
                let (v, _) = self.quoted_or_hex(str + 5, 11)?;
                self.s.comm = v;
            }
        }
        Ok(())
    }

    pub(in crate::items) fn pkt(&mut self) -> R {
        let m = self.m;
        let mut term = 0usize;
        if self.w.hostname {
            if let Some(str) = self.find(0, b"saddr=") {
                let ptr = str + 6;
                term = self.chr(ptr, b' ').ok_or(1)?;
                self.s.hostname = Some(m[ptr..term].to_vec());
            }
        }
        if self.w.object {
            if let Some(str) = self.find(term, b"obj=") {
                let str = str + 4;
                let v = span(m, str, self.chr(str, b' '));
                self.push_obj(v);
            }
        }
        Ok(())
    }

    /// NETFILTER_CFG and EVENT_LISTENER: fill what is still unset, with
    /// defaults when the record lacks the field.
    pub(in crate::items) fn kernel(&mut self) -> R {
        let m = self.m;
        let w = self.w;
        let mut term = 0usize;
        if w.pid && self.s.pid == -1 {
            let ptr = self.find(term, b" pid=").ok_or(54)? + 5;
            term = self.chr(ptr, b' ').ok_or(52)?;
            self.s.pid = ul(m, ptr, 53)? as i32;
        }
        if self.s.uid == u32::MAX && self.s.tuid.is_none() && w.uid {
            match self.find(term, b"uid=") {
                Some(str) => {
                    let ptr = str + 4;
                    term = self.chr(ptr, b' ').ok_or(55)?;
                    self.s.uid = ul(m, ptr, 56)? as u32;
                }
                None => self.s.uid = 0,
            }
            self.s.tuid = Some(self.s.uid);
        }
        if self.s.loginuid == u32::MAX - 1 && self.s.tauid.is_none() && w.loginuid {
            match self.find(term, b"auid=") {
                Some(str) => {
                    let ptr = str + 5;
                    term = self.chr(ptr, b' ').ok_or(57)?;
                    self.s.loginuid = ul(m, ptr, 58)? as u32;
                }
                None => self.s.loginuid = u32::MAX,
            }
            self.s.tauid = Some(self.s.loginuid);
        }
        if self.s.terminal.is_none() && w.terminal {
            match self.find(term, b"tty=") {
                Some(str) => {
                    let str = str + 4;
                    term = self.chr(str, b' ').ok_or(59)?;
                    self.s.terminal = Some(m[str..term].to_vec());
                }
                None => self.s.terminal = Some(b"(none)".to_vec()),
            }
        }
        if self.s.session_id == u32::MAX - 1 && w.session {
            match self.find(term, b"ses=") {
                Some(str) => {
                    let ptr = str + 4;
                    term = self.chr(ptr, b' ').ok_or(60)?;
                    self.s.session_id = ul(m, ptr, 61)? as u32;
                }
                None => self.s.session_id = u32::MAX,
            }
        }
        if self.s.avc.is_none() && w.subject {
            let str = self.find(term, b"subj=").ok_or(64)? + 5;
            term = self.chr(str, b' ').ok_or(62)?;
            self.push_subj(m[str..term].to_vec());
        }
        if self.s.comm.is_none() && w.comm {
            let str = self.find(term, b"comm=").ok_or(66)? + 5;
            self.s.comm = self.take_str(str, 65, &mut term)?;
        }
        if self.s.exe.is_none() && w.exe {
            match self.find(0, b"exe=") {
                Some(str) => {
                    self.s.exe = self.take_str(str + 4, 67, &mut term)?;
                }
                None => self.s.exe = Some(b"(null)".to_vec()),
            }
        }
        if w.success {
            if let Some(str) = self.find(term, b"res=") {
                self.s.success = ul(m, str + 4, 69)? as i32;
            }
        }
        Ok(())
    }
}
