fn main() {
    let text = std::env::args().nth(1).unwrap();
    let parse = gene_syntax::parse_text(&text);
    println!("{:#?}", parse.syntax_node());
    for e in parse.errors() {
        println!("{} {:?} {}", e.code(), e.range, e.message);
    }
    for f in parse.forms() {
        println!("{:?}", f.kind);
    }
    let whole = gene_syntax::parse_whole(&text);
    assert_eq!(whole.green(), parse.green());
}
