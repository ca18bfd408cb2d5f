//! A file that uses every construct of §1 parses without errors; snapshots of its tree and of
//! its lowered forms.

mod common;

use expect_test::expect_file;

const TEXT: &str = include_str!("data/every_construct.gene");

#[test]
fn every_construct_parses_without_errors() {
    let parse = common::checked_parse(TEXT);
    assert_eq!(common::errors_of(&parse), "", "no errors");
    let forms = parse.forms();
    assert_eq!(forms.len(), 19);
    assert!(
        forms.iter().all(|f| !format!("{f:?}").contains("Error")),
        "no form lowers to an error"
    );
}

#[test]
fn every_construct_tree() {
    expect_file!["data/every_construct.tree"].assert_eq(&common::tree(TEXT));
}

#[test]
fn every_construct_forms() {
    expect_file!["data/every_construct.forms"].assert_eq(&common::forms(TEXT));
}
