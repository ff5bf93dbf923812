//! The dissector's cache of resolved message kinds (family, op, names: [`Resolved`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::rc::Rc;

use super::{ResolveKey, Resolved};
use crate::dissect::KeyHasher;

/// Resolutions by kind, and the last one handed out: a run of messages of one kind (a dump's
/// replies) skips the map.
#[derive(Default)]
pub struct Resolutions {
    map: RefCell<HashMap<ResolveKey, Rc<Resolved>, BuildHasherDefault<KeyHasher>>>,
    last: RefCell<Option<(ResolveKey, Rc<Resolved>)>>,
}

impl Resolutions {
    /// The resolution for `key`, made by `f` on a miss (`f` may [`Resolutions::forget`]: it
    /// runs with nothing borrowed).
    pub fn get_or(&self, key: ResolveKey, f: impl FnOnce() -> Resolved) -> Rc<Resolved> {
        if let Some((k, r)) = self.last.borrow().as_ref()
            && *k == key
        {
            return Rc::clone(r);
        }
        let found = self.map.borrow().get(&key).map(Rc::clone);
        let r = found.unwrap_or_else(|| {
            let r = Rc::new(f());
            self.map.borrow_mut().insert(key, Rc::clone(&r));
            r
        });
        *self.last.borrow_mut() = Some((key, Rc::clone(&r)));
        r
    }

    /// Forget every resolution (what they were resolved from changed).
    pub fn forget(&self) {
        self.map.borrow_mut().clear();
        *self.last.borrow_mut() = None;
    }

    /// Forget the resolutions of protocol `p`'s messages (what changed concerns only them,
    /// as generic netlink ids do).
    pub fn forget_protocol(&self, p: u32) {
        self.map.borrow_mut().retain(|k, _| k.0 != p);
        let mut last = self.last.borrow_mut();
        if last.as_ref().is_some_and(|(k, _)| k.0 == p) {
            *last = None;
        }
    }
}
