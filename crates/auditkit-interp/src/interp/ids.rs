//! uid/gid → name, through the host's accounts the caller passes in
//! ([`Accounts::empty()`] for none).

use auditkit_host::Accounts;

use super::conv_err;
use crate::cnum::strtoul;

/// `aulookup_uid`/`aulookup_gid`: -1 is `unset`, 0 is always `root`,
/// unknown ids print as a signed C int.
fn lookup(id: i32, name: Option<&str>) -> Vec<u8> {
    match id {
        -1 => b"unset".to_vec(),
        0 => b"root".to_vec(),
        _ => match name {
            Some(n) => n.as_bytes().to_vec(),
            None => format!("unknown({id})").into_bytes(),
        },
    }
}

pub(crate) fn print_uid(val: &[u8], base: u32, names: &Accounts) -> Vec<u8> {
    match strtoul(val, base) {
        Err(_) => conv_err(val),
        Ok(v) => {
            let id = v as u32;
            lookup(id as i32, names.user_name(id))
        }
    }
}

pub(crate) fn print_gid(val: &[u8], base: u32, names: &Accounts) -> Vec<u8> {
    match strtoul(val, base) {
        Err(_) => conv_err(val),
        Ok(v) => {
            let id = v as u32;
            lookup(id as i32, names.group_name(id))
        }
    }
}
