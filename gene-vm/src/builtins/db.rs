//! `gene/db`: SQLite databases. `(gene/db/open_async path)` gives a `Database`; its statements
//! (`.exec_async`, `.query_async`), transactions (`.transaction_async`) and `.close_async` each
//! give a future at once. The SQL runs on the connection's worker thread (`db_worker.rs`), in
//! the order the program issued it, never on the VM's thread; other tasks run meanwhile.
//!
//! Errors: a wrong argument type (the SQL is not a string, a parameter Gene cannot bind) is a
//! TypeError at the call; everything SQLite says (bad SQL, wrong parameter count, a closed
//! database, a constraint) is a `DbError` thrown by `await`, with SQLite's message and its
//! extended result code as `code` (nil when the error is not SQLite's).

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::mpsc::Sender;

use super::db_sql::{Params, Rows, SqlError, SqlValue};
use super::db_worker::{self, Command, Origin, Shared, TxId, Work};
use super::{arg, str_arg};
use crate::intern::Sym;
use crate::reactor::{JobError, JobValue};
use crate::value::{Host, HostObject, Map, NativeFn, Value};
use crate::vm::jobs::{Finish, JobKind, Stalled};
use crate::vm::{Exc, Vm};

pub(super) static NATIVES: &[NativeFn] = &[
    native!("gene/db/open_async", open_async),
    native!("Database.exec_async", |vm, args| {
        let db = database(vm, args, ".exec_async")?;
        let work = statement(vm, args, ".exec_async", Work::Exec)?;
        Ok(issue(vm, &db, Origin::Db, work))
    }),
    native!("Database.query_async", |vm, args| {
        let db = database(vm, args, ".query_async")?;
        let work = statement(vm, args, ".query_async", Work::Query)?;
        Ok(issue(vm, &db, Origin::Db, work))
    }),
    flow_native!(
        "Database.transaction_async",
        super::db_tx::transaction_async
    ),
    native!("Database.close_async", |vm, args| {
        let db = database(vm, args, ".close_async")?;
        if let Some(d) = db.downcast::<Database>() {
            d.state.borrow_mut().closed = true;
        }
        Ok(issue(vm, &db, Origin::Db, Work::Close))
    }),
    native!("Database.path", |vm, args| {
        let db = database(vm, args, ".path")?;
        Ok(db
            .downcast::<Database>()
            .map(|d| Value::str(d.path.as_str()))
            .unwrap_or_default())
    }),
    native!("Transaction.exec_async", |vm, args| {
        let (db, tx) = transaction(vm, args, ".exec_async")?;
        let work = statement(vm, args, ".exec_async", Work::Exec)?;
        Ok(issue(vm, &db, Origin::Tx(tx), work))
    }),
    native!("Transaction.query_async", |vm, args| {
        let (db, tx) = transaction(vm, args, ".query_async")?;
        let work = statement(vm, args, ".query_async", Work::Query)?;
        Ok(issue(vm, &db, Origin::Tx(tx), work))
    }),
];

/// The VM's end of a worker: where commands go, and what both sides share.
type WorkerLine = (Sender<Command>, Arc<Shared>);

/// A database as Gene code holds it: the line to its worker, and what the VM's thread knows
/// about its transactions.
pub(super) struct Database {
    path: String,
    sender: Sender<Command>,
    shared: Arc<Shared>,
    state: Rc<RefCell<DbState>>,
}

#[derive(Default)]
struct DbState {
    /// `.close_async` was called.
    closed: bool,
    next_tx: TxId,
    /// Transactions begun whose end has not been sent yet: statements issued after them wait.
    open: BTreeSet<TxId>,
}

impl HostObject for Database {
    fn type_name(&self) -> &'static str {
        "Database"
    }

    fn describe(&self) -> String {
        if self.state.borrow().closed {
            format!("<Database {} closed>", self.path)
        } else {
            format!("<Database {}>", self.path)
        }
    }
}

/// The handle `.transaction_async` gives its function: statements through it run inside the
/// transaction.
pub(super) struct Transaction {
    /// The database's host value.
    db: Rc<Host>,
    id: TxId,
    ended: Cell<bool>,
}

impl HostObject for Transaction {
    fn type_name(&self) -> &'static str {
        "Transaction"
    }

    fn describe(&self) -> String {
        let path = self
            .db
            .downcast::<Database>()
            .map(|d| d.path.clone())
            .unwrap_or_default();
        let state = if self.ended.get() { " ended" } else { "" };
        format!("<Transaction on {path}{state}>")
    }
}

fn open_async(vm: &mut Vm, args: &[Value]) -> Result<Value, Exc> {
    let path = str_arg(vm, args, 0, "gene/db/open_async's path")?.to_string();
    // The worker's end of the line, kept here until the open succeeds.
    let line: Rc<RefCell<Option<WorkerLine>>> = Rc::default();
    let start_line = line.clone();
    let worker_path = path.clone();
    let start = move |op, reporter| {
        *start_line.borrow_mut() = Some(db_worker::start(worker_path, op, reporter));
    };
    let finish: Finish = Box::new(move |vm, v| {
        // A failure to open is a DbError; success is plain nil.
        finish(vm, v)?;
        let Some((sender, shared)) = line.borrow_mut().take() else {
            return Err(vm.make_error_value("DbError", "the database did not open"));
        };
        Ok(Value::Host(Host::new(Database {
            path,
            sender,
            shared,
            state: Rc::default(),
        })))
    });
    Ok(vm.start_job_with(JobKind::External(Box::new(start)), finish, None))
}

/// The receiver of a Database method.
fn database(vm: &Vm, args: &[Value], what: &str) -> Result<Rc<Host>, Exc> {
    match args.first() {
        Some(Value::Host(h)) if h.downcast::<Database>().is_some() => Ok(h.clone()),
        other => Err(vm.type_error(format!(
            "{what} needs a Database, got {}",
            other.map_or("nothing".to_string(), Value::type_name)
        ))),
    }
}

/// The receiver of a Transaction method: its database and its id.
fn transaction(vm: &Vm, args: &[Value], what: &str) -> Result<(Rc<Host>, TxId), Exc> {
    match args.first() {
        Some(Value::Host(h)) => match h.downcast::<Transaction>() {
            Some(tx) => Ok((tx.db.clone(), tx.id)),
            None => {
                Err(vm.type_error(format!("{what} needs a Transaction, got {}", h.type_name())))
            }
        },
        other => Err(vm.type_error(format!(
            "{what} needs a Transaction, got {}",
            other.map_or("nothing".to_string(), Value::type_name)
        ))),
    }
}

/// `(x .exec_async sql [params])` and `.query_async`: the SQL and its parameters, checked at
/// the call.
fn statement(
    vm: &Vm,
    args: &[Value],
    what: &str,
    work: fn(String, Params) -> Work,
) -> Result<Work, Exc> {
    let sql = str_arg(vm, args, 1, &format!("{what}'s SQL"))?.to_string();
    let params = params(vm, arg(args, 2))?;
    Ok(work(sql, params))
}

/// Parameters: an array binds by position (`?`), a map by name (`:name`, `@name`, `$name`).
fn params(vm: &Vm, v: &Value) -> Result<Params, Exc> {
    match v {
        Value::Nil => Ok(Params::None),
        Value::Array(items) => items
            .borrow()
            .iter()
            .enumerate()
            .map(|(i, item)| sql_value(vm, item, &format!("parameter {}", i + 1)))
            .collect::<Result<Vec<_>, _>>()
            .map(Params::Positional),
        Value::Map(map) => map
            .borrow()
            .iter()
            .map(|(k, item)| {
                let name = k.name().to_string();
                let value = sql_value(vm, item, &format!("parameter :{name}"))?;
                Ok((name, value))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Params::Named),
        other => Err(vm.type_error(format!(
            "the parameters must be an array (for ?) or a map (for :name), got {}",
            other.type_name()
        ))),
    }
}

/// A Gene value SQLite can store: nil, a boolean (as 1 or 0), a number, a string (a char or a
/// symbol as its text) or bytes.
fn sql_value(vm: &Vm, v: &Value, what: &str) -> Result<SqlValue, Exc> {
    Ok(match v {
        Value::Nil => SqlValue::Null,
        Value::Bool(b) => SqlValue::Int(i64::from(*b)),
        Value::Int(n) => SqlValue::Int(*n),
        Value::Float(f) => SqlValue::Float(*f),
        Value::Str(s) => SqlValue::Text(s.to_string()),
        Value::Char(c) => SqlValue::Text(c.to_string()),
        Value::Symbol(s) => SqlValue::Text(s.name().to_string()),
        Value::Bytes(b) => SqlValue::Blob(b.as_ref().clone()),
        other => {
            return Err(vm.type_error(format!(
                "{what} is {} ({}): SQLite stores nil, booleans, numbers, strings and bytes",
                article(&other.type_name()),
                crate::value::inspect(other)
            )));
        }
    })
}

fn article(type_name: &str) -> String {
    let vowel = type_name
        .chars()
        .next()
        .is_some_and(|c| "AEIOU".contains(c));
    format!("{} {type_name}", if vowel { "an" } else { "a" })
}

/// Sends a command to the database's worker and gives the future of its result.
fn issue(vm: &mut Vm, db: &Rc<Host>, origin: Origin, work: Work) -> Value {
    let Some(d) = db.downcast::<Database>() else {
        return Value::Nil;
    };
    let sender = d.sender.clone();
    // The operation's id, known once the job starts; the cancel hook needs it.
    let id = Rc::new(Cell::new(0));
    let start_id = id.clone();
    let start = move |op, reporter: crate::reactor::JobReporter| {
        start_id.set(op);
        let cmd = Command {
            op: Some(op),
            origin,
            work,
        };
        if sender.send(cmd).is_err() {
            let e = SqlError::new("the database is closed");
            reporter.report(op, db_worker::failure(e));
        }
    };
    let shared = d.shared.clone();
    let on_cancel = Box::new(move || shared.cancel(id.get()));
    let stalled = stalled_check(&d.state, origin);
    vm.start_job_stallable(
        JobKind::External(Box::new(start)),
        Box::new(finish),
        Some(on_cancel),
        stalled,
    )
}

/// Sends the command that begins a transaction; gives its handle (registered with the VM's
/// services until it ends, see [`roll_back_transaction`]).
pub(super) fn begin(vm: &mut Vm, db: &Rc<Host>) -> Option<Value> {
    let d = db.downcast::<Database>()?;
    let id = {
        let mut state = d.state.borrow_mut();
        state.next_tx += 1;
        let id = state.next_tx;
        state.open.insert(id);
        id
    };
    // A closed line means a closed database: the transaction's statements will say so.
    let _ = d.sender.send(Command {
        op: None,
        origin: Origin::Tx(id),
        work: Work::Begin,
    });
    let tx = Host::new(Transaction {
        db: db.clone(),
        id,
        ended: Cell::new(false),
    });
    vm.services.transactions.register(tx.clone());
    Some(Value::Host(tx))
}

/// Ends a transaction (commit or rollback); gives the future of the end.
pub(super) fn end(vm: &mut Vm, tx_value: &Value, commit: bool) -> Result<Value, Exc> {
    let Value::Host(h) = tx_value else {
        return Err(vm.type_error("internal error: a transaction end without its handle"));
    };
    let Some(tx) = h.downcast::<Transaction>() else {
        return Err(vm.type_error("internal error: a transaction end without its handle"));
    };
    vm.services.transactions.forget(h);
    mark_ended(tx, commit);
    let work = if commit { Work::Commit } else { Work::Rollback };
    Ok(issue(vm, &tx.db, Origin::Tx(tx.id), work))
}

/// The transaction's end is decided: statements issued from now on need not wait for it, and a
/// rollback stops its running statement and fails its waiting ones.
fn mark_ended(tx: &Transaction, commit: bool) {
    tx.ended.set(true);
    if let Some(d) = tx.db.downcast::<Database>() {
        d.state.borrow_mut().open.remove(&tx.id);
        if !commit {
            d.shared.doom(tx.id);
        }
    }
}

/// Rolls back a transaction still open: the tasks that would have ended it were dropped (an
/// interrupt such as Ctrl-C in the REPL or the language server's stop, or the main program
/// failing; `services/transactions.rs` keeps the list). Nothing waits for the rollback's
/// result; later statements on the database run after it, in order, and other connections get
/// the database back.
pub(crate) fn roll_back_transaction(host: &Rc<Host>) {
    let Some(tx) = host.downcast::<Transaction>() else {
        return;
    };
    if tx.ended.get() {
        return;
    }
    mark_ended(tx, false);
    if let Some(d) = tx.db.downcast::<Database>() {
        // A closed line means a closed database: SQLite rolled back when it closed.
        let _ = d.sender.send(Command {
            op: None,
            origin: Origin::Tx(tx.id),
            work: Work::Rollback,
        });
    }
}

/// A command waits for Gene code when a transaction begun before it has not been ended: if
/// every task waits then, it never will be (typically: a statement on the database awaited
/// inside the transaction's own function).
fn stalled_check(state: &Rc<RefCell<DbState>>, origin: Origin) -> Option<Stalled> {
    let (bound, message) = match origin {
        Origin::Db => (
            *state.borrow().open.last()?,
            "this statement waits for the transaction open on the database to end, and every task is waiting (inside transaction_async, run statements through the transaction handle, not the database)",
        ),
        Origin::Tx(tx) => (
            tx.checked_sub(1)?,
            "this transaction waits for an earlier transaction on the database to end, and every task is waiting",
        ),
    };
    state.borrow().open.range(..=bound).next()?;
    let state = state.clone();
    Some(Box::new(move || {
        state
            .borrow()
            .open
            .range(..=bound)
            .next()
            .map(|_| JobError::new("DbError", message))
    }))
}

/// A worker's reply as a Gene value (or the DbError to throw).
fn finish(vm: &mut Vm, v: JobValue) -> Result<Value, Value> {
    match v {
        JobValue::Host(data) => {
            let data = match data.downcast::<Rows>() {
                Ok(rows) => return Ok(rows_value(*rows)),
                Err(other) => other,
            };
            match data.downcast::<SqlError>() {
                Ok(e) => Err(db_error_value(vm, &e)),
                Err(_) => Ok(Value::Nil),
            }
        }
        other => Ok(vm.job_value(other)),
    }
}

/// A DbError with SQLite's message and code.
fn db_error_value(vm: &Vm, e: &SqlError) -> Value {
    let value = vm.make_error_value("DbError", e.message.clone());
    if let Value::Instance(inst) = &value {
        let code = e.code.map(|c| Value::Int(i64::from(c))).unwrap_or_default();
        inst.props.borrow_mut().insert(Sym::new("code"), code);
    }
    value
}

/// Rows as an array of maps, column name -> value, in column order (a name given twice keeps
/// its first place and its last value).
fn rows_value(rows: Rows) -> Value {
    let keys: Vec<Sym> = rows.columns.iter().map(|c| Sym::new(c)).collect();
    if keys.is_empty() {
        return Value::array(Vec::new());
    }
    let mut out = Vec::with_capacity(rows.values.len() / keys.len());
    let mut values = rows.values.into_iter();
    'rows: loop {
        let mut map = Map::with_capacity_and_hasher(keys.len(), Default::default());
        for key in &keys {
            let Some(v) = values.next() else {
                break 'rows;
            };
            map.insert(*key, gene_value(v));
        }
        out.push(Value::map(map));
    }
    Value::array(out)
}

fn gene_value(v: SqlValue) -> Value {
    match v {
        SqlValue::Null => Value::Nil,
        SqlValue::Int(n) => Value::Int(n),
        SqlValue::Float(f) => Value::Float(f),
        SqlValue::Text(s) => Value::str(s),
        SqlValue::Blob(b) => Value::Bytes(Rc::new(b)),
    }
}
