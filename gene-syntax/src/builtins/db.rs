//! SQLite (`gene/db`) and the bytes its BLOBs read as: functions, classes and methods.

use super::{
    Builtin,
    BuiltinKind::{Class, Function, Method},
    FUTURE, Flags, NO_FLAGS, Param, entry, opt, req,
};

/// A method; `path` is `Receiver.name`.
const fn method(
    receiver: &'static str,
    name: &'static str,
    path: &'static str,
    params: &'static [Param],
    flags: Flags,
    doc: &'static str,
) -> Builtin {
    entry(Method, name, path, Some(receiver), params, flags, doc)
}

pub(crate) static FUNCTIONS: &[Builtin] = &[
    entry(
        Function,
        "open_async",
        "gene/db/open_async",
        None,
        &[req("path")],
        FUTURE,
        "A future of a `Database`: the SQLite database in the file at path (created when missing), or a private in-memory one for `\":memory:\"`. The connection has a thread of its own: every statement runs there, in the order the program issued it, while other tasks go on. A file that cannot be opened is a DbError, thrown at `await`. A statement that finds the file locked by another connection retries for up to 5 seconds before failing with \"database is locked\".",
    ),
    entry(
        Function,
        "bytes",
        "gene/bytes",
        None,
        &[req("data")],
        NO_FLAGS,
        "Bytes from a string (its UTF-8 encoding), an array of integers from 0 to 255, or bytes (a copy). Bytes are immutable; they print as `<Bytes 68 69>`, compare by content, and are what an SQLite BLOB reads as (and what binds as one).",
    ),
];

pub(crate) static CLASSES: &[Builtin] = &[
    entry(
        Class,
        "DbError",
        "gene/DbError",
        None,
        &[opt("message")],
        NO_FLAGS,
        "A database operation failed: bad SQL, parameters that do not fit the statement, a constraint, a closed database, a transaction that ended. The message is SQLite's (or says what was wrong); `code` is SQLite's extended result code (an int, e.g. 2067 for a UNIQUE constraint), or nil when the error is not SQLite's.",
    ),
    entry(
        Class,
        "Bytes",
        "gene/Bytes",
        None,
        &[],
        NO_FLAGS,
        "The class of bytes (`gene/bytes`, SQLite BLOBs).",
    ),
    entry(
        Class,
        "Database",
        "gene/Database",
        None,
        &[],
        NO_FLAGS,
        "The class of SQLite connections (`gene/db/open_async`).",
    ),
    entry(
        Class,
        "Transaction",
        "gene/Transaction",
        None,
        &[],
        NO_FLAGS,
        "The class of the transaction handles `.transaction_async` gives its function.",
    ),
];

pub(crate) static METHODS: &[Builtin] = &[
    method(
        "Database",
        "exec_async",
        "Database.exec_async",
        &[req("sql"), opt("params")],
        FUTURE,
        "Runs a statement for its effect; a future of the number of rows it inserted, updated or deleted (0 for other statements; rows it returns are dropped: to get the id a row was given, run `INSERT ... RETURNING id` with `.query_async`). params binds by position, an array for `?` (and `?NNN`), or by name, a map for `:name`, `@name` or `$name` (`{^id 1}`); values are nil, booleans (as 1 and 0), ints, floats, strings (chars and symbols as their text) and bytes. Without params the SQL may hold several statements separated by `;` (a schema script). A SQL or parameter count error is a DbError thrown at `await`; a value SQLite cannot store is a TypeError at the call. While a transaction is open on the database, the statement waits for it to end.",
    ),
    method(
        "Database",
        "query_async",
        "Database.query_async",
        &[req("sql"), opt("params")],
        FUTURE,
        "Runs a statement and gives a future of its rows: an array of maps, column name to value, in column order (INTEGER -> int, REAL -> float, TEXT -> string, NULL -> nil, BLOB -> bytes). Parameters and errors as for `.exec_async`.",
    ),
    method(
        "Database",
        "transaction_async",
        "Database.transaction_async",
        &[req("f")],
        FUTURE,
        "Begins a transaction and calls f with its handle (a `Transaction`, with `.exec_async` and `.query_async`); when what f gives (a future, awaited, or a value) succeeds, commits and gives a future of that value. When f throws, its future fails, or the commit fails, rolls back and the future fails with that error; when the transaction's future is cancelled or times out (`gene/timeout`), f's future is cancelled, a statement of the transaction still running is interrupted, and the transaction rolls back. Statements issued on the database itself while the transaction is open wait until it ends (they never run inside it), so inside f use the handle: awaiting a statement on the database there would wait for ever, and fails with a DbError once nothing else can happen.",
    ),
    method(
        "Database",
        "close_async",
        "Database.close_async",
        &[],
        FUTURE,
        "Closes the database once the statements issued before have run (and an open transaction has ended); a future of nil. Statements issued afterwards fail with a DbError saying the database is closed. Closing twice is not an error.",
    ),
    method(
        "Database",
        "path",
        "Database.path",
        &[],
        NO_FLAGS,
        "The path the database was opened with (`\":memory:\"` for an in-memory one).",
    ),
    method(
        "Transaction",
        "exec_async",
        "Transaction.exec_async",
        &[req("sql"), opt("params")],
        FUTURE,
        "`Database.exec_async` inside the transaction. After the transaction has ended (or while it is rolling back), a DbError that says so.",
    ),
    method(
        "Transaction",
        "query_async",
        "Transaction.query_async",
        &[req("sql"), opt("params")],
        FUTURE,
        "`Database.query_async` inside the transaction. After the transaction has ended, a DbError that says so.",
    ),
    method(
        "Bytes",
        "size",
        "Bytes.size",
        &[],
        NO_FLAGS,
        "The number of bytes.",
    ),
    method(
        "Bytes",
        "length",
        "Bytes.length",
        &[],
        NO_FLAGS,
        "The number of bytes (as `.size`).",
    ),
    method(
        "Bytes",
        "to_a",
        "Bytes.to_a",
        &[],
        NO_FLAGS,
        "The bytes as an array of integers from 0 to 255.",
    ),
    method(
        "Bytes",
        "decode",
        "Bytes.decode",
        &[],
        NO_FLAGS,
        "The bytes read as UTF-8 text: a string. Bytes that are not UTF-8 are an ArgumentError naming where the invalid data starts.",
    ),
    method(
        "Bytes",
        "hex",
        "Bytes.hex",
        &[],
        NO_FLAGS,
        "The bytes as a string of lowercase hex digits, two per byte.",
    ),
];
