//! Every name use of a file, resolved.

use std::collections::HashMap;
use std::sync::Arc;

use rowan::{TextRange, TextSize};

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
                visible.scope_end = rowan::TextSize::of(&**file.text(db));
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

/// One chunk of the file with its position: the unit a question about one place is answered
/// in, so that a question right after an edit costs the chunk, not the file.
pub(crate) struct ChunkView<'db> {
    pub index: usize,
    pub offset: TextSize,
    pub chunk: db::Chunk<'db>,
}

/// The chunks that may hold something at `offset`: the one it falls in, and the one before
/// when `offset` is where that one ends (a cursor just after a name).
pub(crate) fn chunks_at(db: &dyn Db, file: SourceFile, offset: TextSize) -> Vec<ChunkView<'_>> {
    let chunks = db::chunks(db, file);
    let i = chunks.partition_point(|c| c.offset <= offset);
    let mut out = Vec::new();
    for index in [i.checked_sub(1), i.checked_sub(2)].into_iter().flatten() {
        let Some(at) = chunks.get(index) else {
            continue;
        };
        // The chunk before counts only when the offset is where it ends.
        if index + 2 == i
            && chunks
                .get(index + 1)
                .is_none_or(|next| next.offset != offset)
        {
            continue;
        }
        out.push(ChunkView {
            index,
            offset: at.offset,
            chunk: at.chunk,
        });
    }
    out
}

fn shifted(decl: &LocalDecl, by: TextSize) -> LocalDecl {
    LocalDecl {
        range: decl.range + by,
        scope_end: decl.scope_end + by,
        ..decl.clone()
    }
}

/// Every top-level `var` of the file with the index of its chunk, in order, visible to the end
/// of the file (as [`file_index`] sees module variables). Few, and computed once per text, so a
/// question about a name in one chunk does not walk the chunks before it.
#[salsa::tracked(returns(ref))]
pub fn module_var_decls(db: &dyn Db, file: SourceFile) -> Arc<Vec<(usize, LocalDecl)>> {
    let end = TextSize::of(&**file.text(db));
    let mut out = Vec::new();
    for (index, at) in db::chunks(db, file).iter().enumerate() {
        let analysis = crate::analysis::chunk_analysis(db, at.chunk);
        for decl in analysis.decls.iter().filter(|d| d.module_level) {
            let mut visible = shifted(decl, at.offset);
            visible.scope_end = end;
            out.push((index, visible));
        }
    }
    Arc::new(out)
}

/// The top-level `var` named `name` declared last in a chunk before chunk `before`.
pub(crate) fn module_var_before(
    db: &dyn Db,
    file: SourceFile,
    before: usize,
    name: &str,
) -> Option<LocalDecl> {
    module_var_decls(db, file)
        .iter()
        .rev()
        .find(|(index, d)| *index < before && d.name == name)
        .map(|(_, d)| d.clone())
}

/// The top-level `var`s declared before chunk `before`, in order (a later one of a name
/// shadows an earlier one).
pub(crate) fn module_vars_before(db: &dyn Db, file: SourceFile, before: usize) -> Vec<LocalDecl> {
    module_var_decls(db, file)
        .iter()
        .filter(|(index, _)| *index < before)
        .map(|(_, d)| d.clone())
        .collect()
}

/// The local declarations of the chunk at `offset`, in file offsets.
pub(crate) fn chunk_decls(db: &dyn Db, view: &ChunkView<'_>) -> Vec<LocalDecl> {
    crate::analysis::chunk_analysis(db, view.chunk)
        .decls
        .iter()
        .map(|d| shifted(d, view.offset))
        .collect()
}

/// What the name at `offset` refers to: a use, or a local's own declaration, or a definition's
/// own name. Only the chunk at `offset` is looked at, with what the file defines.
pub fn target_at(db: &dyn Db, file: SourceFile, offset: TextSize) -> Option<(TextRange, Target)> {
    let views = chunks_at(db, file, offset);
    for view in &views {
        let local = offset.checked_sub(view.offset)?;
        let analysis = crate::analysis::chunk_analysis(db, view.chunk);
        let Some(r) = analysis
            .refs
            .iter()
            .find(|r| r.range.contains_inclusive(local))
        else {
            continue;
        };
        let target = match &r.target {
            RefTarget::Local(def_range) => {
                match analysis.decls.iter().find(|d| d.range == *def_range) {
                    Some(decl) => Target::Local {
                        file,
                        decl: shifted(decl, view.offset),
                    },
                    None => Target::Unresolved(String::new()),
                }
            }
            RefTarget::Free(name) => match module_var_before(db, file, view.index, name) {
                Some(decl) => Target::Local { file, decl },
                None => resolve_free(db, file, &HashMap::new(), name),
            },
        };
        return Some((r.range + view.offset, target));
    }
    for view in &views {
        let local = offset.checked_sub(view.offset)?;
        let analysis = crate::analysis::chunk_analysis(db, view.chunk);
        if let Some(decl) = analysis
            .decls
            .iter()
            .find(|d| d.range.contains_inclusive(local))
        {
            return Some((
                decl.range + view.offset,
                Target::Local {
                    file,
                    decl: shifted(decl, view.offset),
                },
            ));
        }
        // A definition's own name (`fn name`, `class Name`).
        if let Some(def) = symbols::chunk_symbols(db, view.chunk)
            .defs
            .iter()
            .find(|d| d.range.contains_inclusive(local))
        {
            let range = def.range + view.offset;
            // The file's view of it (with its doc comment) unless a later one of that name wins.
            let def = symbols::file_symbols(db, file)
                .get(&def.name)
                .filter(|d| d.range == range)
                .cloned()
                .unwrap_or_else(|| Def {
                    range,
                    doc: symbols::doc_comment_above(file.text(db), range.start().into()),
                    ..def.clone()
                });
            return Some((range, Target::Def { file, def }));
        }
    }
    None
}
