//! Snapshots of the bytecode of small programs, one per construct, and of each peephole fusion
//! of `compiler/emit.rs` (the fused case beside a neighbour that must not fuse). A change in
//! code generation shows here as a readable diff of `gene disasm` listings; after an intended
//! change, `UPDATE_EXPECT=1 cargo test -p gene-vm --test bytecode` rewrites the snapshots.

use expect_test::{Expect, expect};
use gene_vm::bytecode::{Proto, disassemble};

fn compile(src: &str) -> Proto {
    gene_vm::compiler::compile_module(&gene_syntax::parse_text(src).forms(), "t")
}

fn check(src: &str, expected: Expect) {
    expected.assert_eq(&disassemble(&compile(src), src));
}

// ---- constructs ------------------------------------------------------------------------------

#[test]
fn var_and_assignment() {
    check(
        "(var x 1)\n(x = \"two\")\n(var $ns/g 3)\n(g = 4)\nx",
        expect![[r#"
            == t (Module, 1 slot)
                1 | (var x 1)
                   0  Int(1)
                   1  Dup
                   2  InitLocal(0)             x
                   3  Pop
                2 | (x = "two")
                   4  Const(0)                 "two"
                   5  SetLocal(0)              x
                3 | (var $ns/g 3)
                   6  LoadNs
                   7  Int(3)
                   8  SetMember(0)             g
                   9  Pop
                4 | (g = 4)
                  10  Int(4)
                  11  StoreName(0)             g
                  12  Pop
                5 | x
                  13  ReturnLocal(0)           x
                  14  Return
        "#]],
    );
}

#[test]
fn if_forms() {
    check(
        "(var c true)\n(if c 1 2)\n(if not c 1 elif (c == nil) 2 else 3)\n(if c (println 1))",
        expect![[r#"
            == t (Module, 1 slot)
                1 | (var c true)
                   0  True
                   1  Dup
                   2  InitLocal(0)             c
                   3  Pop
                2 | (if c 1 2)
                   4  LoadLocal(0)             c
                   5  JumpIfFalse(8)
                   6  Int(1)
                   7  Jump(9)
                   8  Int(2)
                   9  Pop
                3 | (if not c 1 elif (c == nil) 2 else 3)
                  10  LoadLocal(0)             c
                  11  JumpIfTrue(14)
                  12  Int(1)
                  13  Jump(21)
                  14  LoadLocal(0)             c
                  15  Nil
                  16  Eq
                  17  JumpIfFalse(20)
                  18  Int(2)
                  19  Jump(21)
                  20  Int(3)
                  21  Pop
                4 | (if c (println 1))
                  22  LoadLocal(0)             c
                  23  JumpIfFalse(29)
                  24  LoadCallee(0)            println
                  25  MacroArgs(0)             macro arguments: 1 forms, 0 props; a call resumes at 28
                  26  Int(1)
                  27  Call(1)
                  28  Return
                  29  Nil
                  30  Return
        "#]],
    );
}

#[test]
fn loops() {
    check(
        "(var i 0)\n(while (i < 3) (i += 1))\n(repeat 2 (println i))\n(loop (if (i > 5) (break i)) (i += 1) (continue))\n(for [k v] in {^a 1} (println k v))",
        expect![[r#"
            == t (Module, 5 slots)
                1 | (var i 0)
                   0  Int(0)
                   1  Dup
                   2  InitLocal(0)             i
                   3  Pop
                2 | (while (i < 3) (i += 1))
                   4  Nil
                   5  InitLocal(1)
                   6  JumpUnlessLt(0, 3, 9)    i
                   7  IncLocal(0, 1)           i
                   8  Jump(6)
                   9  LoadLocal(1)
                  10  Pop
                3 | (repeat 2 (println i))
                  11  Nil
                  12  InitLocal(1)
                  13  Int(0)
                  14  InitLocal(2)
                  15  Int(2)
                  16  InitLocal(3)
                  17  LoadLocal(2)
                  18  LoadLocal(3)
                  19  Lt
                  20  JumpIfFalse(28)
                  21  LoadCallee(0)            println
                  22  MacroArgs(0)             macro arguments: 1 forms, 0 props; a call resumes at 25
                  23  LoadLocal(0)             i
                  24  Call(1)
                  25  Pop
                  26  IncLocal(2, 1)
                  27  Jump(17)
                  28  LoadLocal(1)
                  29  Pop
                4 | (loop (if (i > 5) (break i)) (i += 1) (continue))
                  30  Nil
                  31  InitLocal(1)
                  32  JumpUnlessGt(0, 5, 37)   i
                  33  LoadLocal(0)             i
                  34  SetLocal(1)
                  35  Jump(43)
                  36  Jump(38)
                  37  Nil
                  38  Pop
                  39  IncLocal(0, 1)           i
                  40  Jump(32)
                  41  Pop
                  42  Jump(32)
                  43  LoadLocal(1)
                  44  Pop
                5 | (for [k v] in {^a 1} (println k v))
                  45  Nil
                  46  InitLocal(1)
                  47  Const(1)                 :a
                  48  Int(1)
                  49  MakeMap(1)
                  50  IterStart
                  51  IterNext(66)
                  52  InitLocal(2)
                  53  LoadLocal(2)
                  54  GetIndex(0)
                  55  InitLocal(3)             k
                  56  LoadLocal(2)
                  57  GetIndex(1)
                  58  InitLocal(4)             v
                  59  LoadCallee(0)            println
                  60  MacroArgs(2)             macro arguments: 2 forms, 0 props; a call resumes at 64
                  61  LoadLocal(3)             k
                  62  LoadLocal(4)             v
                  63  Call(2)
                  64  Pop
                  65  Jump(51)
                  66  ReturnLocal(1)
                  67  Return
        "#]],
    );
}

#[test]
fn functions_and_parameters() {
    check(
        "(fn f [a b = 2 [c d] ^k rest...] [a b c k rest])\n(f 1 ^k 3 4 5)\n(fn g _ 1)\n(fnxx 2)",
        expect![[r#"
            == t (Module, 0 slots)
                1 | (fn f [a b = 2 [c d] ^k rest...] [a b c k rest])
                   0  MakeClosure(0)           <f>
                   1  DefineName(0)            f
                   2  Pop
                2 | (f 1 ^k 3 4 5)
                   3  LoadCallee(0)            f
                   4  MacroArgs(0)             macro arguments: 3 forms, 1 props; a call resumes at 13
                   5  Int(1)
                   6  Int(4)
                   7  Int(5)
                   8  MakeArray(3)
                   9  Const(1)                 :k
                  10  Int(3)
                  11  MakeMap(1)
                  12  CallComplex
                  13  Pop
                3 | (fn g _ 1)
                  14  MakeClosure(1)           <g>
                  15  DefineName(1)            g
                  16  Pop
                4 | (fnxx 2)
                  17  MakeClosure(2)           <fnxx>
                  18  Return
            == t > f (Function, 8 slots, params [a b = ... (slot 2) ^k rest...])
                1 | (fn f [a b = 2 [c d] ^k rest...] [a b c k rest])
                   0  JumpIfGiven(1, 3)        b
                   1  Int(2)
                   2  SetLocal(1)              b
                   3  LoadLocal(2)
                   4  InitLocal(5)
                   5  LoadLocal(5)
                   6  GetIndex(0)
                   7  InitLocal(6)             c
                   8  LoadLocal(5)
                   9  GetIndex(1)
                  10  InitLocal(7)             d
                  11  LoadLocal(0)             a
                  12  LoadLocal(1)             b
                  13  LoadLocal(6)             c
                  14  LoadLocal(3)             k
                  15  LoadLocal(4)             rest
                  16  MakeArray(5)
                  17  Return
            == t > g (Function, 0 slots, params _)
                3 | (fn g _ 1)
                   0  Int(1)
                   1  Return
            == t > fnxx (Function, 0 slots, params _)
                4 | (fnxx 2)
                   0  Int(2)
                   1  Return
        "#]],
    );
}

#[test]
fn closures_capture_cells() {
    check(
        "(fn counter _\n  (var n 0)\n  (fnx _ (fnxx (n += 1))))\n(var xs [1 2])\n(xs .map (x -> (x + 1)))",
        expect![[r#"
            == t (Module, 1 slot)
                1 | (fn counter _
                   0  MakeClosure(0)           <counter>
                   1  DefineName(0)            counter
                   2  Pop
                4 | (var xs [1 2])
                   3  Int(1)
                   4  Int(2)
                   5  MakeArray(2)
                   6  Dup
                   7  InitLocal(0)             xs
                   8  Pop
                5 | (xs .map (x -> (x + 1)))
                   9  LoadLocal(0)             xs
                  10  MakeClosure(1)           <<block>>
                  11  CallMethod(1, 1)         map
                  12  Return
            == t > counter (Function, 1 slot, params _)
                2 |   (var n 0)
                   0  Int(0)
                   1  Dup
                   2  InitCell(0)              n
                1 | (fn counter _
                   3  Pop
                3 |   (fnx _ (fnxx (n += 1))))
                   4  MakeClosure(0)           <fnx>
                1 | (fn counter _
                   5  Return
            == t > counter > fnx (Function, 0 slots, params _)
               captures: n (slot 0)
                3 |   (fnx _ (fnxx (n += 1))))
                   0  MakeClosure(0)           <fnxx>
                   1  Return
            == t > counter > fnx > fnxx (Function, 0 slots, params _)
               captures: n (capture 0)
                3 |   (fnx _ (fnxx (n += 1))))
                   0  LoadCapture(0)           n
                   1  Int(1)
                   2  Add
                   3  StoreCapture(0)          n
                   4  Return
            == t > <block> (Block, direct call, 1 slot, params [x])
                5 | (xs .map (x -> (x + 1)))
                   0  LocalAddInt(0, 1)        x
                   1  Return
        "#]],
    );
}

#[test]
fn self_tail_calls() {
    check(
        "(fn loop_down [n] (if (n == 0) 0 (loop_down (n - 1))))\n(fn not_tail [n] ((not_tail n) + 1))",
        expect![[r#"
            == t (Module, 0 slots)
                1 | (fn loop_down [n] (if (n == 0) 0 (loop_down (n - 1))))
                   0  MakeClosure(0)           <loop_down>
                   1  DefineName(0)            loop_down
                   2  Pop
                2 | (fn not_tail [n] ((not_tail n) + 1))
                   3  MakeClosure(1)           <not_tail>
                   4  DefineName(1)            not_tail
                   5  Return
            == t > loop_down (Function, direct call, 1 slot, params [n])
                1 | (fn loop_down [n] (if (n == 0) 0 (loop_down (n - 1))))
                   0  LoadLocal(0)             n
                   1  Int(0)
                   2  Eq
                   3  JumpIfFalse(6)
                   4  Int(0)
                   5  Return
                   6  LoadCallee(0)            loop_down
                   7  MacroArgs(0)             macro arguments: 1 forms, 0 props; a call resumes at 10
                   8  LocalAddInt(0, -1)       n
                   9  TailCall(1)
                  10  Return
            == t > not_tail (Function, direct call, 1 slot, params [n])
                2 | (fn not_tail [n] ((not_tail n) + 1))
                   0  LoadCallee(0)            not_tail
                   1  MacroArgs(0)             macro arguments: 1 forms, 0 props; a call resumes at 4
                   2  LoadLocal(0)             n
                   3  Call(1)
                   4  Int(1)
                   5  Add
                   6  Return
        "#]],
    );
}

#[test]
fn classes_and_methods() {
    check(
        "(class A\n  (.ctor [x] (/x = x))\n  (.fn get _ /x))\n(class B < A\n  (.fn get _ ((super .get) + 1)))\n((new B 1) .get)",
        expect![[r#"
            == t (Module, 0 slots)
                1 | (class A
                   0  Nil
                   1  MakeClass(0)             A
                   2  DefineName(0)            A
                   3  Dup
                   4  MakeClosure(0)           <A>
                   5  RunBody
                   6  Pop
                   7  Pop
                4 | (class B < A
                   8  LoadName(0)              A
                   9  MakeClass(1)             B
                  10  DefineName(1)            B
                  11  Dup
                  12  MakeClosure(1)           <B>
                  13  RunBody
                  14  Pop
                  15  Pop
                6 | ((new B 1) .get)
                  16  LoadName(1)              B
                  17  Int(1)
                  18  New(1)
                  19  CallMethod(2, 0)         get
                  20  Return
            == t > A (Body, 0 slots, params _)
                2 |   (.ctor [x] (/x = x))
                   0  LoadSelf
                   1  MakeClosure(0)           <ctor>
                   2  DefCtor
                1 | (class A
                   3  Pop
                3 |   (.fn get _ /x))
                   4  LoadSelf
                   5  MakeClosure(1)           <get>
                   6  DefMethod(0)             get
                1 | (class A
                   7  Return
            == t > A > ctor (Function, direct call, 1 slot, params [x])
                2 |   (.ctor [x] (/x = x))
                   0  LoadSelf
                   1  LoadLocal(0)             x
                   2  SetMember(0)             x
                   3  Return
            == t > A > get (Function, 0 slots, params _)
                3 |   (.fn get _ /x))
                   0  LoadSelf
                   1  GetMember(0)             x
                   2  Return
            == t > B (Body, 0 slots, params _)
                5 |   (.fn get _ ((super .get) + 1)))
                   0  LoadSelf
                   1  MakeClosure(0)           <get>
                   2  DefMethod(0)             get
                4 | (class B < A
                   3  Return
            == t > B > get (Function, 0 slots, params _)
                5 |   (.fn get _ ((super .get) + 1)))
                   0  CallSuper(0, 0)          get
                   1  Int(1)
                   2  Add
                   3  Return
        "#]],
    );
}

#[test]
fn try_catch_finally_and_throw() {
    check(
        "(try\n  (throw TypeError \"bad\")\ncatch TypeError\n  $ex\ncatch *\n  nil\nfinally\n  (println \"done\"))",
        expect![[r#"
            == t (Module, 1 slot)
                1 | (try
                   0  PushHandler(12)
                2 |   (throw TypeError "bad")
                   1  LoadName(0)              TypeError
                   2  Const(0)                 "bad"
                   3  New(1)
                   4  Throw
                1 | (try
                   5  PopHandler
                8 |   (println "done"))
                   6  LoadCallee(1)            println
                   7  MacroArgs(1)             macro arguments: 1 forms, 0 props; a call resumes at 10
                   8  Const(2)                 "done"
                   9  Call(1)
                1 | (try
                  10  Pop
                  11  Jump(33)
                  12  InitLocal(0)
                  13  PushHandler(34)
                3 | catch TypeError
                  14  LoadLocal(0)
                  15  LoadName(0)              TypeError
                  16  CatchMatch
                  17  JumpIfFalse(20)
                4 |   $ex
                  18  LoadLocal(0)
                1 | (try
                  19  Jump(27)
                5 | catch *
                  20  LoadLocal(0)
                  21  CatchAny
                  22  JumpIfFalse(25)
                6 |   nil
                  23  Nil
                1 | (try
                  24  Jump(27)
                  25  LoadLocal(0)
                  26  Throw
                  27  PopHandler
                8 |   (println "done"))
                  28  LoadCallee(1)            println
                  29  MacroArgs(3)             macro arguments: 1 forms, 0 props; a call resumes at 32
                  30  Const(2)                 "done"
                  31  Call(1)
                1 | (try
                  32  Pop
                  33  Return
                  34  InitLocal(0)
                8 |   (println "done"))
                  35  LoadCallee(1)            println
                  36  MacroArgs(4)             macro arguments: 1 forms, 0 props; a call resumes at 39
                  37  Const(2)                 "done"
                  38  Call(1)
                1 | (try
                  39  Pop
                  40  LoadLocal(0)
                  41  Throw
                  42  Return
        "#]],
    );
}

#[test]
fn generators() {
    check(
        "(fn ^^generator g [n]\n  (var x (yield n))\n  (yield x))\n(for v in (g 1) (println v))",
        expect![[r#"
            == t (Module, 2 slots)
                1 | (fn ^^generator g [n]
                   0  MakeClosure(0)           <g>
                   1  DefineName(0)            g
                   2  Pop
                4 | (for v in (g 1) (println v))
                   3  Nil
                   4  InitLocal(0)
                   5  LoadCallee(0)            g
                   6  MacroArgs(0)             macro arguments: 1 forms, 0 props; a call resumes at 9
                   7  Int(1)
                   8  Call(1)
                   9  IterStart
                  10  IterNext(18)
                  11  InitLocal(1)             v
                  12  LoadCallee(1)            println
                  13  MacroArgs(1)             macro arguments: 1 forms, 0 props; a call resumes at 16
                  14  LoadLocal(1)             v
                  15  Call(1)
                  16  Pop
                  17  Jump(10)
                  18  ReturnLocal(0)
                  19  Return
            == t > g (Function, direct call, 2 slots, params [n])
                1 | (fn ^^generator g [n]
                   0  MakeGenerator(0)
                   1  Return
                2 |   (var x (yield n))
                   2  LoadLocal(0)             n
                   3  Yield(6)
                   4  Nil
                   5  GenReturn
                   6  Dup
                   7  InitLocal(1)             x
                1 | (fn ^^generator g [n]
                   8  Pop
                3 |   (yield x))
                   9  LoadLocal(1)             x
                  10  Yield(13)
                  11  Nil
                  12  GenReturn
                1 | (fn ^^generator g [n]
                  13  GenReturn
        "#]],
    );
}

#[test]
fn async_and_await() {
    check(
        "(fn ^^async f [x] (await (gene/sleep_async x)) x)\n(var t (async (f 1)))\n(await t (f 2) ^timeout 100)\n(for await v in [t] (println v))",
        expect![[r#"
            == t (Module, 3 slots)
                1 | (fn ^^async f [x] (await (gene/sleep_async x)) x)
                   0  MakeClosure(0)           <f>
                   1  DefineName(0)            f
                   2  Pop
                2 | (var t (async (f 1)))
                   3  MakeClosure(1)           <<async>>
                   4  Call(0)
                   5  Dup
                   6  InitLocal(0)             t
                   7  Pop
                3 | (await t (f 2) ^timeout 100)
                   8  LoadLocal(0)             t
                   9  LoadCallee(0)            f
                  10  MacroArgs(0)             macro arguments: 1 forms, 0 props; a call resumes at 13
                  11  Int(2)
                  12  Call(1)
                  13  Int(100)
                  14  Await(9)
                  15  Pop
                4 | (for await v in [t] (println v))
                  16  Nil
                  17  InitLocal(1)
                  18  LoadLocal(0)             t
                  19  MakeArray(1)
                  20  IterStart
                  21  IterNextAsync(31)
                  22  Await(4)
                  23  IterUnwrap(31)
                  24  InitLocal(2)             v
                  25  LoadCallee(1)            println
                  26  MacroArgs(1)             macro arguments: 1 forms, 0 props; a call resumes at 29
                  27  LoadLocal(2)             v
                  28  Call(1)
                  29  Pop
                  30  Jump(21)
                  31  ReturnLocal(1)
                  32  Return
            == t > f (Function, async, 1 slot, params [x])
                1 | (fn ^^async f [x] (await (gene/sleep_async x)) x)
                   0  LoadName(0)              gene
                   1  GetMember(1)             sleep_async
                   2  CheckMacro(0)            macro arguments: 1 forms, 0 props; a call resumes at 5
                   3  LoadLocal(0)             x
                   4  Call(1)
                   5  Await(4)
                   6  Pop
                   7  ReturnLocal(0)           x
                   8  Return
            == t > <async> (Function, async, 0 slots, params _)
                2 | (var t (async (f 1)))
                   0  LoadCallee(0)            f
                   1  MacroArgs(0)             macro arguments: 1 forms, 0 props; a call resumes at 4
                   2  Int(1)
                   3  TailCall(1)
                   4  Return
        "#]],
    );
}

#[test]
fn match_enum_and_ns() {
    check(
        "(match [a [b c]] [1 [2 3]])\n(enum Color red green = 5 blue)\n(ns n (fn f _ Color/green))",
        expect![[r#"
            == t (Module, 6 slots)
                1 | (match [a [b c]] [1 [2 3]])
                   0  Int(1)
                   1  Int(2)
                   2  Int(3)
                   3  MakeArray(2)
                   4  MakeArray(2)
                   5  InitLocal(0)
                   6  LoadLocal(0)
                   7  GetIndex(0)
                   8  InitLocal(1)             a
                   9  LoadLocal(0)
                  10  GetIndex(1)
                  11  InitLocal(2)
                  12  LoadLocal(2)
                  13  GetIndex(0)
                  14  InitLocal(3)             b
                  15  LoadLocal(2)
                  16  GetIndex(1)
                  17  InitLocal(4)             c
                  18  Nil
                  19  Pop
                2 | (enum Color red green = 5 blue)
                  20  Const(0)                 enum Color (3 members)
                  21  Dup
                  22  InitLocal(5)             Color
                  23  Pop
                3 | (ns n (fn f _ Color/green))
                  24  Const(1)                 "n"
                  25  MakeNs
                  26  DefineName(0)            n
                  27  Dup
                  28  MakeClosure(0)           <n>
                  29  RunBody
                  30  Pop
                  31  Return
            == t > n (Body, 0 slots, params _)
                3 | (ns n (fn f _ Color/green))
                   0  MakeClosure(0)           <f>
                   1  DefineName(0)            f
                   2  Return
            == t > n > f (Function, 0 slots, params _)
                3 | (ns n (fn f _ Color/green))
                   0  LoadName(0)              Color
                   1  GetMember(1)             green
                   2  Return
        "#]],
    );
}

#[test]
fn macros_and_caller_eval() {
    check(
        "(macro m [a] ($caller_eval a))\n(var x 1)\n(m x)\n(var tpl :(x is %x))\n($render tpl)",
        expect![[r#"
            == t (Module, 2 slots)
                1 | (macro m [a] ($caller_eval a))
                   0  MakeClosure(0)           <m>
                   1  DefineName(0)            m
                   2  Pop
                2 | (var x 1)
                   3  Int(1)
                   4  Dup
                   5  InitLocal(0)             x
                   6  Pop
                3 | (m x)
                   7  LoadCallee(0)            m
                   8  MacroArgs(0)             macro arguments: 1 forms, 0 props; a call resumes at 11
                   9  LoadLocal(0)             x
                  10  Call(1)
                  11  Pop
                4 | (var tpl :(x is %x))
                  12  ConstCopy(1)             :(x is %x)
                  13  Dup
                  14  InitLocal(1)             tpl
                  15  Pop
                5 | ($render tpl)
                  16  LoadLocal(1)             tpl
                  17  Render
                  18  Return
            == t > m (Macro, direct call, 1 slot, params [a])
                1 | (macro m [a] ($caller_eval a))
                   0  LoadLocal(0)             a
                   1  CallerEval
                   2  Return
        "#]],
    );
}

#[test]
fn imports() {
    check(
        "(import a b:c n/[x y:z] from \"lib\")\n(a c)",
        expect![[r#"
            == t (Module, 0 slots)
                1 | (import a b:c n/[x y:z] from "lib")
                   0  Import(0)                import a b:c n/x:x n/y:z from "lib"
                   1  Pop
                2 | (a c)
                   2  LoadCallee(0)            a
                   3  MacroArgs(1)             macro arguments: 1 forms, 0 props; a call resumes at 6
                   4  LoadName(1)              c
                   5  Call(1)
                   6  Return
        "#]],
    );
}

#[test]
fn data_operators_and_interpolation() {
    check(
        "(var m {^a [1 2] ^b (_ ^k 1 2)})\n(m ./ \"a\")\n($set m @b 3)\n(var xs [0 (m/a)... 9])\n#\"a #{xs} b\"\n((1 .. 3) && (nil || false))",
        expect![[r#"
            == t (Module, 2 slots)
                1 | (var m {^a [1 2] ^b (_ ^k 1 2)})
                   0  Const(0)                 :a
                   1  Int(1)
                   2  Int(2)
                   3  MakeArray(2)
                   4  Const(1)                 :b
                   5  Const(2)                 :_
                   6  Const(3)                 :k
                   7  Int(1)
                   8  Int(2)
                   9  MakeGene(65537)
                  10  MakeMap(2)
                  11  Dup
                  12  InitLocal(0)             m
                  13  Pop
                2 | (m ./ "a")
                  14  LoadLocal(0)             m
                  15  Const(4)                 "a"
                  16  Select
                  17  Pop
                3 | ($set m @b 3)
                  18  LoadLocal(0)             m
                  19  Const(5)                 "b"
                  20  Int(3)
                  21  SetSelect
                  22  Pop
                4 | (var xs [0 (m/a)... 9])
                  23  Int(0)
                  24  LoadLocal(0)             m
                  25  GetMember(0)             a
                  26  CheckMacro(6)            macro arguments: 0 forms, 0 props; a call resumes at 28
                  27  Call(0)
                  28  LoadName(1)              ...
                  29  Int(9)
                  30  MakeArray(4)
                  31  Dup
                  32  InitLocal(1)             xs
                  33  Pop
                5 | #"a #{xs} b"
                  34  Const(7)                 "a "
                  35  LoadLocal(1)             xs
                  36  Const(8)                 " b"
                  37  Concat(3)
                  38  Pop
                6 | ((1 .. 3) && (nil || false))
                  39  Int(1)
                  40  Int(3)
                  41  MakeRange(2)
                  42  AndJump(46)
                  43  Nil
                  44  OrJump(46)
                  45  False
                  46  Return
        "#]],
    );
}

// ---- peephole fusions (compiler/emit.rs) ----------------------------------------------------

#[test]
fn store_local_then_pop_fuses_into_set_local() {
    // Discarded: `SetLocal`. As a value (the argument of println): `StoreLocal` stays.
    check(
        "(var x 0)\n(x = 1)\n(println (x = 2))\nnil",
        expect![[r#"
            == t (Module, 1 slot)
                1 | (var x 0)
                   0  Int(0)
                   1  Dup
                   2  InitLocal(0)             x
                   3  Pop
                2 | (x = 1)
                   4  Int(1)
                   5  SetLocal(0)              x
                3 | (println (x = 2))
                   6  LoadCallee(0)            println
                   7  MacroArgs(0)             macro arguments: 1 forms, 0 props; a call resumes at 11
                   8  Int(2)
                   9  StoreLocal(0)            x
                  10  Call(1)
                  11  Pop
                4 | nil
                  12  Nil
                  13  Return
        "#]],
    );
}

#[test]
fn add_local_int_then_pop_fuses_into_inc_local() {
    // Discarded: `IncLocal`; as a value: `AddLocalInt`; a delta beyond i16 or a captured
    // variable: the general `Add` and a store.
    check(
        "(var i 0)\n(i += 1)\n(println (i -= 2))\n(i += 100000)\n(fnxx (i += 1))\nnil",
        expect![[r#"
            == t (Module, 1 slot)
                1 | (var i 0)
                   0  Int(0)
                   1  Dup
                   2  InitCell(0)              i
                   3  Pop
                2 | (i += 1)
                   4  IncLocal(0, 1)           i
                3 | (println (i -= 2))
                   5  LoadCallee(0)            println
                   6  MacroArgs(0)             macro arguments: 1 forms, 0 props; a call resumes at 9
                   7  AddLocalInt(0, -2)       i
                   8  Call(1)
                   9  Pop
                4 | (i += 100000)
                  10  LoadLocal(0)             i
                  11  Int(100000)
                  12  Add
                  13  SetLocal(0)              i
                5 | (fnxx (i += 1))
                  14  MakeClosure(0)           <fnxx>
                  15  Pop
                6 | nil
                  16  Nil
                  17  Return
            == t > fnxx (Function, 0 slots, params _)
               captures: i (slot 0)
                5 | (fnxx (i += 1))
                   0  LoadCapture(0)           i
                   1  Int(1)
                   2  Add
                   3  StoreCapture(0)          i
                   4  Return
        "#]],
    );
}

#[test]
fn local_plus_small_int_fuses_into_local_add_int() {
    // `(n + 1)` and `(n - 1)` fuse; the constant first, a big constant, `*`: no fusion.
    check(
        "(fn f [n] [(n + 1) (n - 1) (1 + n) (n + 40000) (n * 2)])",
        expect![[r#"
            == t (Module, 0 slots)
                1 | (fn f [n] [(n + 1) (n - 1) (1 + n) (n + 40000) (n * 2)])
                   0  MakeClosure(0)           <f>
                   1  DefineName(0)            f
                   2  Return
            == t > f (Function, direct call, 1 slot, params [n])
                1 | (fn f [n] [(n + 1) (n - 1) (1 + n) (n + 40000) (n * 2)])
                   0  LocalAddInt(0, 1)        n
                   1  LocalAddInt(0, -1)       n
                   2  Int(1)
                   3  LoadLocal(0)             n
                   4  Add
                   5  LoadLocal(0)             n
                   6  Int(40000)
                   7  Add
                   8  LoadLocal(0)             n
                   9  Int(2)
                  10  Mul
                  11  MakeArray(5)
                  12  Return
        "#]],
    );
}

#[test]
fn compare_local_with_int_then_jump_fuses() {
    // Each comparison of a local with a small int feeding a conditional jump fuses; `==`, a
    // comparison kept as a value and the constant first do not.
    check(
        "(fn f [n]\n  (if (n < 1) 1)\n  (if (n <= 2) 2)\n  (if (n > 3) 3)\n  (if (n >= 4) 4)\n  (if (n == 5) 5)\n  (if (6 < n) 6)\n  (var b (n < 7))\n  (while (n < 8) (n += 1)))",
        expect![[r#"
            == t (Module, 0 slots)
                1 | (fn f [n]
                   0  MakeClosure(0)           <f>
                   1  DefineName(0)            f
                   2  Return
            == t > f (Function, direct call, 3 slots, params [n])
                2 |   (if (n < 1) 1)
                   0  JumpUnlessLt(0, 1, 3)    n
                   1  Int(1)
                   2  Jump(4)
                   3  Nil
                1 | (fn f [n]
                   4  Pop
                3 |   (if (n <= 2) 2)
                   5  JumpUnlessLe(0, 2, 8)    n
                   6  Int(2)
                   7  Jump(9)
                   8  Nil
                1 | (fn f [n]
                   9  Pop
                4 |   (if (n > 3) 3)
                  10  JumpUnlessGt(0, 3, 13)   n
                  11  Int(3)
                  12  Jump(14)
                  13  Nil
                1 | (fn f [n]
                  14  Pop
                5 |   (if (n >= 4) 4)
                  15  JumpUnlessGe(0, 4, 18)   n
                  16  Int(4)
                  17  Jump(19)
                  18  Nil
                1 | (fn f [n]
                  19  Pop
                6 |   (if (n == 5) 5)
                  20  LoadLocal(0)             n
                  21  Int(5)
                  22  Eq
                  23  JumpIfFalse(26)
                  24  Int(5)
                  25  Jump(27)
                  26  Nil
                1 | (fn f [n]
                  27  Pop
                7 |   (if (6 < n) 6)
                  28  Int(6)
                  29  LoadLocal(0)             n
                  30  Lt
                  31  JumpIfFalse(34)
                  32  Int(6)
                  33  Jump(35)
                  34  Nil
                1 | (fn f [n]
                  35  Pop
                8 |   (var b (n < 7))
                  36  LoadLocal(0)             n
                  37  Int(7)
                  38  Lt
                  39  Dup
                  40  InitLocal(1)             b
                1 | (fn f [n]
                  41  Pop
                9 |   (while (n < 8) (n += 1)))
                  42  Nil
                  43  InitLocal(2)
                  44  JumpUnlessLt(0, 8, 47)   n
                  45  IncLocal(0, 1)           n
                  46  Jump(44)
                  47  ReturnLocal(2)
                1 | (fn f [n]
                  48  Return
        "#]],
    );
}

#[test]
fn load_local_then_return_fuses_into_return_local() {
    // A local returned: `ReturnLocal`; a capture or a computed value: the plain `Return`.
    check(
        "(fn id [x] x)\n(fn outer [x] (fnxx x))\n(fn twice [x] (x * 2))",
        expect![[r#"
            == t (Module, 0 slots)
                1 | (fn id [x] x)
                   0  MakeClosure(0)           <id>
                   1  DefineName(0)            id
                   2  Pop
                2 | (fn outer [x] (fnxx x))
                   3  MakeClosure(1)           <outer>
                   4  DefineName(1)            outer
                   5  Pop
                3 | (fn twice [x] (x * 2))
                   6  MakeClosure(2)           <twice>
                   7  DefineName(2)            twice
                   8  Return
            == t > id (Function, direct call, 1 slot, params [x])
                1 | (fn id [x] x)
                   0  ReturnLocal(0)           x
                   1  Return
            == t > outer (Function, 1 slot, params [x])
                2 | (fn outer [x] (fnxx x))
                   0  MakeClosure(0)           <fnxx>
                   1  Return
            == t > outer > fnxx (Function, 0 slots, params _)
               captures: x (slot 0)
                2 | (fn outer [x] (fnxx x))
                   0  LoadCapture(0)           x
                   1  Return
            == t > twice (Function, direct call, 1 slot, params [x])
                3 | (fn twice [x] (x * 2))
                   0  LoadLocal(0)             x
                   1  Int(2)
                   2  Mul
                   3  Return
        "#]],
    );
}

#[test]
fn a_jump_to_a_return_becomes_the_return() {
    // In tail position each `if` branch returns at once; not in tail position the branches
    // jump to the code after the `if`.
    check(
        "(fn pick [c a b] (if c (a + b) (a - b)))\n(var c true)\n(if c 1 2)\nnil",
        expect![[r#"
            == t (Module, 1 slot)
                1 | (fn pick [c a b] (if c (a + b) (a - b)))
                   0  MakeClosure(0)           <pick>
                   1  DefineName(0)            pick
                   2  Pop
                2 | (var c true)
                   3  True
                   4  Dup
                   5  InitLocal(0)             c
                   6  Pop
                3 | (if c 1 2)
                   7  LoadLocal(0)             c
                   8  JumpIfFalse(11)
                   9  Int(1)
                  10  Jump(12)
                  11  Int(2)
                  12  Pop
                4 | nil
                  13  Nil
                  14  Return
            == t > pick (Function, direct call, 3 slots, params [c a b])
                1 | (fn pick [c a b] (if c (a + b) (a - b)))
                   0  LoadLocal(0)             c
                   1  JumpIfFalse(6)
                   2  LoadLocal(1)             a
                   3  LoadLocal(2)             b
                   4  Add
                   5  Return
                   6  LoadLocal(1)             a
                   7  LoadLocal(2)             b
                   8  Sub
                   9  Return
        "#]],
    );
}

#[test]
fn no_fusion_onto_a_jump_target() {
    // The `Pop` after an `if` is where its `then` branch jumps: the `else` branch's
    // `StoreLocal` stays unfused, or the `then` branch would lose its `Pop`.
    check(
        "(var x 0)\n(var c true)\n(if c (x = 1) (x = 2))\nnil",
        expect![[r#"
            == t (Module, 2 slots)
                1 | (var x 0)
                   0  Int(0)
                   1  Dup
                   2  InitLocal(0)             x
                   3  Pop
                2 | (var c true)
                   4  True
                   5  Dup
                   6  InitLocal(1)             c
                   7  Pop
                3 | (if c (x = 1) (x = 2))
                   8  LoadLocal(1)             c
                   9  JumpIfFalse(13)
                  10  Int(1)
                  11  StoreLocal(0)            x
                  12  Jump(15)
                  13  Int(2)
                  14  StoreLocal(0)            x
                  15  Pop
                4 | nil
                  16  Nil
                  17  Return
        "#]],
    );
}
