//! A dissector's knowledge carried to another thread ([`Fork`]).

use super::{Dissector, IdMap, IndexSeed, genl_guess};

/// All a [`Dissector`] knows (what it learned, guessed, was pinned and remembered), to make
/// an equal one on another thread (it is `Send`; the dissector is not): see
/// [`Dissector::fork`].
#[derive(Debug, Clone)]
pub struct Fork {
    seed: IndexSeed,
    genl_pinned: std::collections::HashSet<u16>,
    genl_guesses: IdMap<Result<genl_guess::Guess, u8>>,
    recent: Vec<((u32, u32, u32), Vec<u8>)>,
    recent_next: usize,
}

impl Fork {
    /// A dissector that knows what the forked one knew (its caches start empty).
    pub fn dissector(self) -> Dissector {
        let mut d = Dissector::indexer(self.seed);
        d.facts = None;
        d.remember = true;
        d.genl_pinned = self.genl_pinned;
        *d.genl_guesses.get_mut() = self.genl_guesses;
        d.recent = self.recent;
        d.recent_next = self.recent_next;
        d
    }
}

impl Dissector {
    /// What this dissector knows, for [`Fork::dissector`] on another thread: views built there
    /// read as this dissector's do now.
    pub fn fork(&self) -> Fork {
        Fork {
            seed: self.index_seed(),
            genl_pinned: self.genl_pinned.clone(),
            genl_guesses: self.genl_guesses.borrow().clone(),
            recent: self.recent.clone(),
            recent_next: self.recent_next,
        }
    }
}
