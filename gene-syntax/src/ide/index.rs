//! Every name use of a file, resolved.

use std::collections::HashMap;
use std::sync::Arc;

use rowan::TextRange;

use crate::analysis::facts::{LocalDecl, RefTarget};
use crate::analysis::symbols::{self, Def, namespace_def, unqualified_builtin};
use crate::builtins::Builtin;
use crate::db::{self, Db, SourceFile};

/// What a name refers to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// A local variable, parameter, loop variable, enum or import binding.
    Local {
        file: SourceFile,
        decl: LocalDecl,
    },
    /// A namespace-level definition (function, macro, class, namespace, `$ns/x` variable).
    Def {
        file: SourceFile,
        def: Def,
    },
    Builtin(&'static Builtin),
    Unresolved(String),
}

/// The resolved name uses and the local declarations of a file, in file offsets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileIndex {
    pub refs: Vec<(TextRange, Target)>,
    pub decls: Vec<LocalDecl>,
}

#[salsa::tracked(returns(ref))]
pub fn file_index(db: &dyn Db, file: SourceFile) -> Arc<FileIndex> {
    let mut index = FileIndex::default();
    // Top-level variables declared so far, by name (a later `var` shadows an earlier one).
    let mut module_vars: HashMap<String, LocalDecl> = HashMap::new();
    for at in db::chunks(db, file) {
        let analysis = crate::analysis::chunk_analysis(db, at.chunk);
        let shift = |d: &LocalDecl| LocalDecl {
            range: d.range + at.offset,
            scope_end: d.scope_end + at.offset,
            ..d.clone()
        };
        let decls: Vec<LocalDecl> = analysis.decls.iter().map(shift).collect();
        for r in &analysis.refs {
            let target = match &r.target {
                RefTarget::Local(def_range) => {
                    let def_range = *def_range + at.offset;
                    match decls.iter().find(|d| d.range == def_range) {
                        Some(decl) => Target::Local {
                            file,
                            decl: decl.clone(),
                        },
                        None => Target::Unresolved(String::new()),
                    }
                }
                RefTarget::Free(name) => resolve_free(db, file, &module_vars, name),
            };
            index.refs.push((r.range + at.offset, target));
        }
        for decl in &decls {
            if decl.module_level {
                let mut visible = decl.clone();
                visible.scope_end = rowan::TextSize::of(file.text(db).as_str());
                module_vars.insert(decl.name.clone(), visible);
            }
        }
        index.decls.extend(decls);
    }
    Arc::new(index)
}

fn resolve_free(
    db: &dyn Db,
    file: SourceFile,
    module_vars: &HashMap<String, LocalDecl>,
    name: &str,
) -> Target {
    if let Some(decl) = module_vars.get(name) {
        return Target::Local {
            file,
            decl: decl.clone(),
        };
    }
    if let Some((def_file, def)) = namespace_def(db, file, name) {
        return Target::Def {
            file: def_file,
            def,
        };
    }
    match unqualified_builtin(name) {
        Some(b) => Target::Builtin(b),
        None => Target::Unresolved(name.to_string()),
    }
}

/// What the name at `offset` refers to: a use, or a local's own declaration.
pub fn target_at(
    db: &dyn Db,
    file: SourceFile,
    offset: rowan::TextSize,
) -> Option<(TextRange, Target)> {
    let index = file_index(db, file);
    if let Some((range, target)) = index
        .refs
        .iter()
        .find(|(r, _)| r.contains_inclusive(offset))
    {
        return Some((*range, target.clone()));
    }
    if let Some(decl) = index
        .decls
        .iter()
        .find(|d| d.range.contains_inclusive(offset))
    {
        return Some((
            decl.range,
            Target::Local {
                file,
                decl: decl.clone(),
            },
        ));
    }
    // A definition's own name (`fn name`, `class Name`).
    let symbols = symbols::file_symbols(db, file);
    symbols
        .defs
        .values()
        .find(|d| d.range.contains_inclusive(offset))
        .map(|d| {
            (
                d.range,
                Target::Def {
                    file,
                    def: d.clone(),
                },
            )
        })
}
