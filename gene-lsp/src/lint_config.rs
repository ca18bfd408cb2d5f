//! The lint configuration (`gene.toml`) of each file, read once per folder and forgotten when a
//! `gene.toml` changes. A broken `gene.toml` does not stop the diagnostics: the file is checked
//! with the default configuration and the problem is reported to the user once.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use gene_syntax::analysis::LintConfig;

#[derive(Default)]
struct Cache {
    /// By the folder of the file that asked.
    configs: HashMap<PathBuf, Arc<LintConfig>>,
    /// Problems found and not yet shown to the user.
    unreported: Vec<String>,
    /// Problems already shown, so one broken file is shown once.
    reported: HashSet<String>,
}

/// Shared by jobs; its lock is held only for map look-ups and the read of one `gene.toml`.
#[derive(Default)]
pub struct ConfigCache(Mutex<Cache>);

impl ConfigCache {
    fn lock(&self) -> MutexGuard<'_, Cache> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The configuration that applies to `file`: the nearest `gene.toml` in its folder or
    /// above, or the defaults.
    pub fn for_file(&self, file: &Path) -> Arc<LintConfig> {
        let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut cache = self.lock();
        if let Some(config) = cache.configs.get(&dir) {
            return config.clone();
        }
        let config = match LintConfig::discover(file) {
            Ok(found) => found.map(|(_, config)| config).unwrap_or_default(),
            Err(problem) => {
                tracing::warn!("lint configuration: {problem}");
                if cache.reported.insert(problem.clone()) {
                    cache.unreported.push(problem);
                }
                LintConfig::default()
            }
        };
        let config = Arc::new(config);
        cache.configs.insert(dir, config.clone());
        config
    }

    /// Forgets every configuration (a `gene.toml` changed somewhere).
    pub fn invalidate(&self) {
        let mut cache = self.lock();
        cache.configs.clear();
        cache.reported.clear();
    }

    /// Problems to show the user, each once.
    pub fn take_problems(&self) -> Vec<String> {
        std::mem::take(&mut self.lock().unreported)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_nearest_gene_toml_and_reports_a_broken_one_once() {
        let dir = std::env::temp_dir().join(format!("gene-lsp-config-{}", std::process::id()));
        let sub = dir.join("sub");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(dir.join("gene.toml"), "[lint]\nallow = [\"A004\"]\n").unwrap();
        let cache = ConfigCache::default();
        let config = cache.for_file(&sub.join("main.gene"));
        assert_ne!(*config, LintConfig::default());
        assert!(cache.take_problems().is_empty());

        std::fs::write(dir.join("gene.toml"), "[lint]\nallow = [\"Z999\"]\n").unwrap();
        // Cached until invalidated.
        assert_eq!(cache.for_file(&sub.join("main.gene")), config);
        cache.invalidate();
        assert_eq!(
            *cache.for_file(&sub.join("main.gene")),
            LintConfig::default()
        );
        cache.for_file(&sub.join("other.gene"));
        cache.for_file(&dir.join("top.gene"));
        let problems = cache.take_problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("Z999"), "{problems:?}");
        assert!(cache.take_problems().is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
