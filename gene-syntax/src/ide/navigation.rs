//! Go to definition, find references, document highlight, rename.

use rowan::{TextRange, TextSize};

use super::index::{Target, chunks_at, file_index, target_at};
use crate::analysis::facts::RefTarget;
use crate::analysis::symbols;
use crate::db::{Db, SourceFile};
use crate::diagnostic::TextEdit;
use crate::workspace;

/// A place to jump to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NavTarget {
    pub file: SourceFile,
    /// The defining name.
    pub range: TextRange,
}

pub fn definition(db: &dyn Db, file: SourceFile, offset: TextSize) -> Option<NavTarget> {
    match target_at(db, file, offset)?.1 {
        Target::Local { file, decl } => Some(NavTarget {
            file,
            range: decl.range,
        }),
        Target::Def { file, def } => Some(NavTarget {
            file,
            range: def.range,
        }),
        Target::Builtin(_) | Target::Unresolved(_) => None,
    }
}

/// Every file the workspace knows, plus `file` itself.
fn files(db: &dyn Db, file: SourceFile) -> Vec<SourceFile> {
    let mut all: Vec<SourceFile> = db.workspace().files(db).values().copied().collect();
    if !all.contains(&file) {
        all.push(file);
    }
    all
}

/// The places that refer to the same thing as the name at `offset`, across the workspace.
pub fn references(
    db: &dyn Db,
    file: SourceFile,
    offset: TextSize,
    include_declaration: bool,
) -> Vec<NavTarget> {
    let Some((_, target)) = target_at(db, file, offset) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match &target {
        Target::Local {
            file: decl_file,
            decl,
        } => {
            if include_declaration {
                out.push(NavTarget {
                    file: *decl_file,
                    range: decl.range,
                });
            }
            if decl.module_level {
                // A top-level variable: later forms may use it too.
                for (range, t) in &file_index(db, *decl_file).refs {
                    if matches!(t, Target::Local { decl: d, .. } if d.range == decl.range) {
                        out.push(NavTarget {
                            file: *decl_file,
                            range: *range,
                        });
                    }
                }
            } else if let Some(view) = chunks_at(db, *decl_file, decl.range.start()).first() {
                // Any other local lives and dies in its form.
                let analysis = crate::analysis::chunk_analysis(db, view.chunk);
                for r in &analysis.refs {
                    if matches!(r.target, RefTarget::Local(d) if d + view.offset == decl.range) {
                        out.push(NavTarget {
                            file: *decl_file,
                            range: r.range + view.offset,
                        });
                    }
                }
            }
        }
        Target::Def {
            file: def_file,
            def,
        } => {
            if include_declaration {
                out.push(NavTarget {
                    file: *def_file,
                    range: name_range(db, *def_file, def.range),
                });
            }
            for f in files(db, file) {
                for (range, t) in &file_index(db, f).refs {
                    if matches!(t, Target::Def { file: tf, def: d } if tf == def_file && d.range == def.range)
                    {
                        out.push(NavTarget {
                            file: f,
                            range: *range,
                        });
                    }
                }
                for range in import_mentions(db, f, *def_file, &def.name) {
                    out.push(NavTarget { file: f, range });
                }
            }
        }
        Target::Builtin(_) | Target::Unresolved(_) => {}
    }
    out.sort_by_key(|n| (n.file != file, n.range.start()));
    out.dedup();
    out
}

/// The ranges of `name` in `import ... from` forms of `file` that bring it from `from_file`
/// under its own name.
fn import_mentions(
    db: &dyn Db,
    file: SourceFile,
    from_file: SourceFile,
    name: &str,
) -> Vec<TextRange> {
    let mut out = Vec::new();
    for import in &symbols::file_symbols(db, file).imports {
        let spec = workspace::ImportSpec::new(db, import.path.clone());
        if *workspace::resolve_import(db, file, spec) != Some(from_file) {
            continue;
        }
        for (local, member, range) in &import.names {
            if local == name && member == name {
                out.push(*range);
            }
        }
    }
    out
}

/// The name's own range inside a definition's name form (`n/f` -> `f`).
fn name_range(db: &dyn Db, file: SourceFile, range: TextRange) -> TextRange {
    let text = file.text(db);
    let Some(slice) = text.get(std::ops::Range::<usize>::from(range)) else {
        return range;
    };
    match slice.rfind('/') {
        Some(i) => TextRange::new(range.start() + TextSize::from(i as u32 + 1), range.end()),
        None => range,
    }
}

/// The uses of the name at `offset` in this file (for highlighting).
pub fn highlights(db: &dyn Db, file: SourceFile, offset: TextSize) -> Vec<TextRange> {
    references(db, file, offset, true)
        .into_iter()
        .filter(|n| n.file == file)
        .map(|n| n.range)
        .collect()
}

/// The range to rename, or why the name cannot be renamed.
pub fn prepare_rename(
    db: &dyn Db,
    file: SourceFile,
    offset: TextSize,
) -> Result<TextRange, String> {
    match target_at(db, file, offset) {
        Some((range, Target::Local { .. })) => Ok(range),
        Some((range, Target::Def { .. })) => Ok(name_range(db, file, range)),
        Some((_, Target::Builtin(b))) => {
            Err(format!("`{}` is a builtin and cannot be renamed", b.path))
        }
        Some((_, Target::Unresolved(name))) => Err(format!(
            "`{name}` is not defined anywhere the workspace knows"
        )),
        None => Err("there is no name here to rename".to_string()),
    }
}

/// Is `name` a name Gene reads back as the same plain symbol?
fn valid_name(name: &str) -> bool {
    let Some(first) = name.chars().next() else {
        return false;
    };
    !first.is_ascii_digit()
        && !matches!(first, '^' | ':' | '%' | '#' | '\'' | '.' | '$' | '@')
        && !name.contains(|c: char| c.is_whitespace() || "\"%()[]{},/\\".contains(c))
        && !matches!(name, "nil" | "true" | "false" | "_")
        && crate::builtins::lookup(name)
            .is_none_or(|b| b.kind != crate::builtins::BuiltinKind::SpecialForm)
}

/// The edits that rename the name at `offset` everywhere it is used.
pub fn rename(
    db: &dyn Db,
    file: SourceFile,
    offset: TextSize,
    new_name: &str,
) -> Result<Vec<(SourceFile, TextEdit)>, String> {
    prepare_rename(db, file, offset)?;
    if !valid_name(new_name) {
        return Err(format!("`{new_name}` is not a valid name"));
    }
    let edits = references(db, file, offset, true)
        .into_iter()
        .map(|n| {
            let range = name_range(db, n.file, n.range);
            (
                n.file,
                TextEdit {
                    range,
                    new_text: new_name.to_string(),
                },
            )
        })
        .collect();
    Ok(edits)
}
