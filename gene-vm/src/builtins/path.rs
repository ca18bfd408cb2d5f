//! `gene/path`: paths as strings, taken apart and put together by their text alone (nothing is
//! looked up on disk, symbolic links are not followed), with `/` as the separator. And
//! `gene/cwd`, the working directory.
//!
//! Decisions (Node's `path` where Python and Node differ): `dirname` of a bare name is `"."`,
//! `basename` ignores trailing slashes, `ext` keeps its dot (`".gz"`, `""` when none, and a name
//! that only starts with a dot has none), `relative` of a path to itself is `"."`.

use super::str_arg;
use crate::value::{NativeFn, Value};
use crate::vm::{Exc, Vm};

pub(super) static NATIVES: &[NativeFn] = &[
    native!("gene/cwd", |vm, _| Ok(Value::str(cwd(vm, "gene/cwd")?))),
    native!("gene/path/join", |vm, args| {
        if args.is_empty() {
            return Err(vm.error("ArgumentError", "gene/path/join needs at least one part"));
        }
        let mut parts = Vec::with_capacity(args.len());
        for i in 0..args.len() {
            parts.push(str_arg(vm, args, i, "each part of gene/path/join")?);
        }
        Ok(Value::str(join(&parts)))
    }),
    native!("gene/path/dirname", |vm, args| {
        let p = str_arg(vm, args, 0, "gene/path/dirname's path")?;
        Ok(Value::str(dirname(p)))
    }),
    native!("gene/path/basename", |vm, args| {
        let p = str_arg(vm, args, 0, "gene/path/basename's path")?;
        Ok(Value::str(basename(p)))
    }),
    native!("gene/path/stem", |vm, args| {
        let p = str_arg(vm, args, 0, "gene/path/stem's path")?;
        let name = basename(p);
        Ok(Value::str(&name[..name.len() - ext_of(name).len()]))
    }),
    native!("gene/path/ext", |vm, args| {
        let p = str_arg(vm, args, 0, "gene/path/ext's path")?;
        Ok(Value::str(ext_of(basename(p))))
    }),
    native!("gene/path/normalize", |vm, args| {
        let p = str_arg(vm, args, 0, "gene/path/normalize's path")?;
        Ok(Value::str(normalize(p)))
    }),
    native!("gene/path/absolute", |vm, args| {
        let p = str_arg(vm, args, 0, "gene/path/absolute's path")?;
        Ok(Value::str(absolute(vm, p, "gene/path/absolute")?))
    }),
    native!("gene/path/relative", |vm, args| {
        let from = str_arg(vm, args, 0, "gene/path/relative's from")?;
        let to = str_arg(vm, args, 1, "gene/path/relative's to")?;
        let from = absolute(vm, from, "gene/path/relative")?;
        let to = absolute(vm, to, "gene/path/relative")?;
        Ok(Value::str(relative(&from, &to)))
    }),
];

fn cwd(vm: &Vm, what: &str) -> Result<String, Exc> {
    std::env::current_dir()
        .map(|p| p.to_string_lossy().into_owned())
        .map_err(|e| {
            vm.error(
                "IOError",
                format!("{what}: cannot read the working directory: {e}"),
            )
        })
}

/// The parts joined by `/`; a part that starts with `/` starts over from it (as Python's
/// `os.path.join`), empty parts add nothing.
pub(crate) fn join(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts {
        if part.starts_with('/') {
            out.clear();
        } else if part.is_empty() {
            continue;
        } else if !out.is_empty() && !out.ends_with('/') {
            out.push('/');
        }
        out.push_str(part);
    }
    out
}

/// The path without its trailing slashes (`"/"` stays).
fn trim_trailing(p: &str) -> &str {
    let t = p.trim_end_matches('/');
    if t.is_empty() && p.starts_with('/') {
        "/"
    } else {
        t
    }
}

fn dirname(p: &str) -> String {
    let p = trim_trailing(p);
    match p.rfind('/') {
        None => ".".into(),
        Some(i) => {
            let dir = p[..i].trim_end_matches('/');
            if dir.is_empty() { "/" } else { dir }.into()
        }
    }
}

fn basename(p: &str) -> &str {
    let p = trim_trailing(p);
    if p == "/" {
        return "";
    }
    p.rsplit('/').next().unwrap_or(p)
}

/// The extension of a file name with its dot; none for `".bashrc"`, `"a."` has `"."`.
fn ext_of(name: &str) -> &str {
    match name.rfind('.') {
        Some(i) if i > 0 && name[..i].chars().any(|c| c != '.') => &name[i..],
        _ => "",
    }
}

/// `.` and empty components dropped, `dir/..` folded; `..` kept at the start of a relative path
/// and dropped at the root. An empty result is `"."`.
pub(crate) fn normalize(p: &str) -> String {
    let absolute = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if absolute => {}
                _ => parts.push(".."),
            },
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

fn absolute(vm: &Vm, p: &str, what: &str) -> Result<String, Exc> {
    if p.starts_with('/') {
        return Ok(normalize(p));
    }
    Ok(normalize(&join(&[&cwd(vm, what)?, p])))
}

/// The path from the directory `from` to `to`, both absolute and normalized.
fn relative(from: &str, to: &str) -> String {
    let from: Vec<&str> = from.split('/').filter(|c| !c.is_empty()).collect();
    let to: Vec<&str> = to.split('/').filter(|c| !c.is_empty()).collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; from.len() - common];
    parts.extend(&to[common..]);
    if parts.is_empty() {
        ".".into()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_dirs() {
        assert_eq!(dirname("a/b/c.txt"), "a/b");
        assert_eq!(dirname("c.txt"), ".");
        assert_eq!(dirname("/c.txt"), "/");
        assert_eq!(dirname("/"), "/");
        assert_eq!(dirname("a//b/"), "a");
        assert_eq!(basename("a/b/"), "b");
        assert_eq!(basename("/"), "");
        assert_eq!(ext_of("archive.tar.gz"), ".gz");
        assert_eq!(ext_of(".bashrc"), "");
        assert_eq!(ext_of("a."), ".");
        assert_eq!(ext_of("..."), "");
    }

    #[test]
    fn normalizing_and_relative() {
        assert_eq!(normalize("a/./b/../c//d/"), "a/c/d");
        assert_eq!(normalize("../a/../../b"), "../../b");
        assert_eq!(normalize("/../a"), "/a");
        assert_eq!(normalize(""), ".");
        assert_eq!(normalize("a/.."), ".");
        assert_eq!(relative("/a/b", "/a/c/d"), "../c/d");
        assert_eq!(relative("/a/b", "/a/b"), ".");
        assert_eq!(relative("/", "/x"), "x");
        assert_eq!(join(&["a", "b/", "c"]), "a/b/c");
        assert_eq!(join(&["a", "/b", "c"]), "/b/c");
        assert_eq!(join(&["", "a", ""]), "a");
    }
}
