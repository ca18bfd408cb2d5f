//! Debugging tests: a `launch` with `"test": "<full name>"` runs the file's top level (which
//! declares its tests), then each test whose full name is that one or lies inside it (a
//! `describe` group's), in order, each as its own task through `gene_vm::testing`, under the
//! debugger: breakpoints in a test's body stop there like anywhere else. Each test's outcome
//! goes to the console as `gene test` says it.

use gene_vm::Vm;

use crate::transport::Sender;

/// Whether the test named `name` is selected by `wanted` (a test's or a group's full name).
pub fn selects(wanted: &str, name: &str) -> bool {
    name == wanted
        || name
            .strip_prefix(wanted)
            .is_some_and(|rest| rest.starts_with(" > "))
}

/// Runs the selected tests of the file the VM ran; gives the exit code: 0 when all passed,
/// 1 when one failed or none has that name.
pub fn run_selected(vm: &mut Vm, wanted: &str, sender: &Sender) -> i32 {
    let mut ran = 0;
    let mut failed = 0;
    for (index, test) in vm.declared_tests().into_iter().enumerate() {
        if !selects(wanted, &test.name) {
            continue;
        }
        ran += 1;
        if test.skip {
            sender.output("console", &format!("test {} ... skipped\n", test.name));
            continue;
        }
        let result = vm.run_test(index);
        vm.services.output().flush();
        match result {
            Ok(()) => sender.output("console", &format!("test {} ... ok\n", test.name)),
            Err(failure) => {
                failed += 1;
                sender.output("console", &format!("test {} ... FAILED\n", test.name));
                sender.output("stderr", &failure.report);
            }
        }
    }
    if ran == 0 {
        sender.output("stderr", &format!("no test named {wanted:?} in the file\n"));
        return 1;
    }
    i32::from(failed > 0)
}

#[cfg(test)]
mod tests {
    use super::selects;

    #[test]
    fn a_name_selects_its_test_or_its_groups_tests() {
        assert!(selects("adds", "adds"));
        assert!(!selects("adds", "adds more"));
        assert!(selects("math", "math > adds"));
        assert!(!selects("math", "maths > adds"));
    }
}
