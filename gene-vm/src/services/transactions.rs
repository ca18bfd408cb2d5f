//! `gene/db` transactions begun and not ended yet, so that they can be rolled back when the
//! work that would end them is abandoned (an interrupt, a failed main program). Beginning,
//! ending and rolling back are `builtins/db.rs`'s; this is the list.

use std::rc::Rc;

use crate::value::Host;

#[derive(Default)]
pub(crate) struct OpenTransactions {
    open: Vec<Rc<Host>>,
}

impl OpenTransactions {
    pub(crate) fn register(&mut self, tx: Rc<Host>) {
        self.open.push(tx);
    }

    /// The transaction ended (committed or rolled back by the program).
    pub(crate) fn forget(&mut self, tx: &Rc<Host>) {
        self.open.retain(|open| !Rc::ptr_eq(open, tx));
    }

    /// Rolls back every transaction still open (see [`crate::builtins::roll_back_transaction`]).
    pub(crate) fn roll_back_all(&mut self) {
        for tx in std::mem::take(&mut self.open) {
            crate::builtins::roll_back_transaction(&tx);
        }
    }
}
