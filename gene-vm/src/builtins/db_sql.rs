//! Running one SQL statement on a connection's worker thread: binding parameters, reading rows,
//! and SQLite errors as plain data. Nothing here touches Gene values (they live on the VM's
//! thread); `db.rs` converts both ways.

use rusqlite::fallible_iterator::FallibleIterator;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Batch, Connection, Statement, ToSql};

/// A parameter value, converted from Gene on the VM's thread.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum SqlValue {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl ToSql for SqlValue {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            SqlValue::Null => ValueRef::Null,
            SqlValue::Int(n) => ValueRef::Integer(*n),
            SqlValue::Float(f) => ValueRef::Real(*f),
            SqlValue::Text(s) => ValueRef::Text(s.as_bytes()),
            SqlValue::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

/// The parameters of a statement: none, by position (`?`, `?NNN`) or by name (`:name`,
/// `@name`, `$name`; the map's keys are the names without the sigil).
#[derive(Debug, Default)]
pub(super) enum Params {
    #[default]
    None,
    Positional(Vec<SqlValue>),
    Named(Vec<(String, SqlValue)>),
}

/// A failed statement: SQLite's message and, when SQLite gave one, its extended result code.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SqlError {
    pub message: String,
    pub code: Option<i32>,
}

impl SqlError {
    pub fn new(message: impl Into<String>) -> SqlError {
        SqlError {
            message: message.into(),
            code: None,
        }
    }
}

impl From<rusqlite::Error> for SqlError {
    fn from(e: rusqlite::Error) -> SqlError {
        let code = match &e {
            rusqlite::Error::SqlInputError { error, .. } => Some(error.extended_code),
            other => other.sqlite_error().map(|f| f.extended_code),
        };
        let message = match &e {
            rusqlite::Error::MultipleStatement => {
                "the SQL holds more than one statement (only exec_async without parameters runs several)"
                    .to_string()
            }
            other => other.to_string(),
        };
        SqlError { message, code }
    }
}

/// What a query read: the column names once, then the values row after row.
pub(super) struct Rows {
    pub columns: Vec<String>,
    pub values: Vec<SqlValue>,
}

/// Runs a statement for its effect and gives the number of rows it changed. Rows it returns
/// (a `PRAGMA`, a `SELECT`) are read and dropped. Without parameters the SQL may hold several
/// statements (a schema script); the count is then for all of them (triggers' changes too).
pub(super) fn exec(conn: &Connection, sql: &str, params: &Params) -> Result<i64, SqlError> {
    let before = conn.total_changes();
    if matches!(params, Params::None) {
        // Each statement is prepared when its turn comes, so a script may use what its earlier
        // statements create.
        let mut statements = 0;
        let mut batch = Batch::new(conn, sql);
        while let Some(mut stmt) = batch.next()? {
            statements += 1;
            run_to_end(&mut stmt, params)?;
        }
        if statements > 1 {
            return Ok(conn.total_changes().saturating_sub(before) as i64);
        }
    } else {
        let mut stmt = conn.prepare_cached(sql)?;
        run_to_end(&mut stmt, params)?;
    }
    // `changes()` keeps the count of the last INSERT, UPDATE or DELETE, so a statement that
    // changed nothing (or is not one of those) must not report it.
    if conn.total_changes() == before {
        Ok(0)
    } else {
        Ok(conn.changes() as i64)
    }
}

/// Binds and steps through every row (dropped).
fn run_to_end(stmt: &mut Statement<'_>, params: &Params) -> Result<(), SqlError> {
    bind(stmt, params)?;
    let mut rows = stmt.raw_query();
    while rows.next()?.is_some() {}
    Ok(())
}

/// Runs a statement and reads every row it gives.
pub(super) fn query(conn: &Connection, sql: &str, params: &Params) -> Result<Rows, SqlError> {
    let mut stmt = conn.prepare_cached(sql)?;
    bind(&mut stmt, params)?;
    let columns: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
    let width = columns.len();
    let mut values = Vec::new();
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next()? {
        for i in 0..width {
            values.push(match row.get_ref(i)? {
                ValueRef::Null => SqlValue::Null,
                ValueRef::Integer(n) => SqlValue::Int(n),
                ValueRef::Real(f) => SqlValue::Float(f),
                ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => SqlValue::Blob(b.to_vec()),
            });
        }
    }
    Ok(Rows { columns, values })
}

/// Binds the parameters, checking that they fit the statement: as many values as `?`
/// placeholders, a value for every named one.
fn bind(stmt: &mut Statement<'_>, params: &Params) -> Result<(), SqlError> {
    let wanted = stmt.parameter_count();
    match params {
        Params::None if wanted == 0 => Ok(()),
        Params::None => Err(SqlError::new(format!(
            "the statement has {wanted} parameter{} but no values were given",
            plural(wanted)
        ))),
        Params::Positional(values) => {
            if let Some(name) = (1..=wanted).find_map(|i| named(stmt, i)) {
                return Err(SqlError::new(format!(
                    "the statement has the named parameter {name}: give the values as a map"
                )));
            }
            if values.len() != wanted {
                return Err(SqlError::new(format!(
                    "the statement has {wanted} parameter{} but {} value{} given",
                    plural(wanted),
                    values.len(),
                    if values.len() == 1 { " was" } else { "s were" }
                )));
            }
            for (i, v) in values.iter().enumerate() {
                stmt.raw_bind_parameter(i + 1, v)?;
            }
            Ok(())
        }
        Params::Named(values) => {
            for i in 1..=wanted {
                let Some(name) = named(stmt, i) else {
                    return Err(SqlError::new(format!(
                        "parameter {i} of the statement is positional (?): give the values as an array"
                    )));
                };
                let key = name.get(1..).unwrap_or_default();
                let value = values.iter().find(|(k, _)| k == key).map(|(_, v)| v);
                let Some(value) = value else {
                    return Err(SqlError::new(format!(
                        "no value for the parameter {name} (the map has no key {key})"
                    )));
                };
                stmt.raw_bind_parameter(i, value)?;
            }
            Ok(())
        }
    }
}

/// The name of parameter `i` when it is a named one (`:id`, `@id`, `$id`), not `?` or `?NNN`.
fn named(stmt: &Statement<'_>, i: usize) -> Option<String> {
    stmt.parameter_name(i)
        .filter(|n| !n.starts_with('?'))
        .map(String::from)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
