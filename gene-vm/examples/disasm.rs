//! Prints the bytecode of a Gene file: `cargo run -p gene-vm --example disasm -- FILE`.

use gene_vm::bytecode::Proto;

fn dump(proto: &Proto, indent: usize) {
    let pad = " ".repeat(indent);
    println!(
        "{pad}== {} ({:?}, {} slots, params {:?})",
        proto.name, proto.kind, proto.nslots, proto.params
    );
    for (i, op) in proto.ops.iter().enumerate() {
        println!("{pad}{i:4} {op:?}");
    }
    for p in &proto.protos {
        dump(p, indent + 2);
    }
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: disasm FILE");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let parse = gene_syntax::parse_text(&text);
    dump(&gene_vm::compiler::compile_module(&parse.forms(), &path), 0);
}
