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
                   1  InitLocal(0)             x
                2 | (x = "two")
                   2  Const(0)                 "two"
                   3  SetLocal(0)              x
                3 | (var $ns/g 3)
                   4  LoadNs
                   5  Int(3)
                   6  SetMember(0)             g
                   7  Pop
                4 | (g = 4)
                   8  Int(4)
                   9  StoreName(0)             g
                  10  Pop
                5 | x
                  11  ReturnLocal(0)           x
                  12  Return
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
                   1  InitLocal(0)             c
                2 | (if c 1 2)
                   2  LoadLocal(0)             c
                   3  JumpIfFalse(6)
                   4  Int(1)
                   5  Jump(7)
                   6  Int(2)
                   7  Pop
                3 | (if not c 1 elif (c == nil) 2 else 3)
                   8  LoadLocal(0)             c
                   9  JumpIfTrue(12)
                  10  Int(1)
                  11  Jump(16)
                  12  JumpUnlessNilLocal(0, 15) c
                  13  Int(2)
                  14  Jump(16)
                  15  Int(3)
                  16  Pop
                4 | (if c (println 1))
                  17  LoadLocal(0)             c
                  18  JumpIfFalse(24)
                  19  LoadCallee(0)            println
                  20  MacroArgs(0)             macro arguments: 1 forms, 0 props; a call resumes at 23
                  21  Int(1)
                  22  Call(1)
                  23  Return
                  24  Nil
                  25  Return
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
                   1  InitLocal(0)             i
                2 | (while (i < 3) (i += 1))
                   2  Nil
                   3  InitLocal(1)
                   4  JumpUnlessLt(0, 3, 7)    i
                   5  IncLocal(0, 1)           i
                   6  Jump(4)
                3 | (repeat 2 (println i))
                   7  Nil
                   8  InitLocal(1)
                   9  Int(0)
                  10  InitLocal(2)
                  11  Int(2)
                  12  InitLocal(3)
                  13  JumpUnlessLtLocal(2, 3, 21)
                  14  LoadCallee(0)            println
                  15  MacroArgs(0)             macro arguments: 1 forms, 0 props; a call resumes at 18
                  16  LoadLocal(0)             i
                  17  Call(1)
                  18  Pop
                  19  IncLocal(2, 1)
                  20  Jump(13)
                4 | (loop (if (i > 5) (break i)) (i += 1) (continue))
                  21  Nil
                  22  InitLocal(1)
                  23  JumpUnlessGt(0, 5, 28)   i
                  24  LoadLocal(0)             i
                  25  SetLocal(1)
                  26  Jump(34)
                  27  Jump(29)
                  28  Nil
                  29  Pop
                  30  IncLocal(0, 1)           i
                  31  Jump(23)
                  32  Pop
                  33  Jump(23)
                5 | (for [k v] in {^a 1} (println k v))
                  34  Nil
                  35  InitLocal(1)
                  36  Const(1)                 :a
                  37  Int(1)
                  38  MakeMap(1)
                  39  IterStart
                  40  IterNext(54)
                  41  InitLocal(2)
                  42  LoadLocal(2)
                  43  GetIndex(0)
                  44  InitLocal(3)             k
                  45  LoadLocal(2)
                  46  GetIndex(1)
                  47  InitLocal(4)             v
                  48  LoadCallee(0)            println
                  49  MacroArgs(2)             macro arguments: 2 forms, 0 props; a call resumes at 52
                  50  LoadLocal2(3, 4)         k v
                  51  Call(2)
                  52  Pop
                  53  Jump(40)
                  54  ReturnLocal(1)
                  55  Return
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
                  11  LoadLocal2(0, 1)         a b
                  12  LoadLocal2(6, 3)         c k
                  13  LoadLocal(4)             rest
                  14  MakeArray(5)
                  15  Return
            == t > g (Function, direct call, 0 slots, params _)
                3 | (fn g _ 1)
                   0  Int(1)
                   1  Return
            == t > fnxx (Function, direct call, 0 slots, params _)
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
                   6  InitLocal(0)             xs
                5 | (xs .map (x -> (x + 1)))
                   7  LoadLocal(0)             xs
                   8  MakeClosure(1)           <<block>>
                   9  CallMethod(1, 1)         map
                  10  Return
            == t > counter (Function, direct call, 1 slot, params _)
                2 |   (var n 0)
                   0  Int(0)
                   1  InitCell(0)              n
                3 |   (fnx _ (fnxx (n += 1))))
                   2  MakeClosure(0)           <fnx>
                1 | (fn counter _
                   3  Return
            == t > counter > fnx (Function, direct call, 0 slots, params _)
               captures: n (slot 0)
                3 |   (fnx _ (fnxx (n += 1))))
                   0  MakeClosure(0)           <fnxx>
                   1  Return
            == t > counter > fnx > fnxx (Function, direct call, 0 slots, params _)
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
                   0  LoadLocal(0)             x
                   1  SetSelfMember(0)         x
                   2  Return
            == t > A > get (Function, direct call, 0 slots, params _)
                3 |   (.fn get _ /x))
                   0  GetSelfMember(0)         x
                   1  Return
            == t > B (Body, 0 slots, params _)
                5 |   (.fn get _ ((super .get) + 1)))
                   0  LoadSelf
                   1  MakeClosure(0)           <get>
                   2  DefMethod(0)             get
                4 | (class B < A
                   3  Return
            == t > B > get (Function, direct call, 0 slots, params _)
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
                   6  InitLocal(1)             x
                3 |   (yield x))
                   7  LoadLocal(1)             x
                   8  Yield(11)
                   9  Nil
                  10  GenReturn
                1 | (fn ^^generator g [n]
                  11  GenReturn
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
                   5  InitLocal(0)             t
                3 | (await t (f 2) ^timeout 100)
                   6  LoadLocal(0)             t
                   7  LoadCallee(0)            f
                   8  MacroArgs(0)             macro arguments: 1 forms, 0 props; a call resumes at 11
                   9  Int(2)
                  10  Call(1)
                  11  Int(100)
                  12  Await(9)
                  13  Pop
                4 | (for await v in [t] (println v))
                  14  Nil
                  15  InitLocal(1)
                  16  LoadLocal(0)             t
                  17  MakeArray(1)
                  18  IterStart
                  19  IterNextAsync(29)
                  20  Await(4)
                  21  IterUnwrap(29)
                  22  InitLocal(2)             v
                  23  LoadCallee(1)            println
                  24  MacroArgs(1)             macro arguments: 1 forms, 0 props; a call resumes at 27
                  25  LoadLocal(2)             v
                  26  Call(1)
                  27  Pop
                  28  Jump(19)
                  29  ReturnLocal(1)
                  30  Return
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
                2 | (enum Color red green = 5 blue)
                  18  Const(0)                 enum Color (3 members)
                  19  InitLocal(5)             Color
                3 | (ns n (fn f _ Color/green))
                  20  Const(1)                 "n"
                  21  MakeNs
                  22  DefineName(0)            n
                  23  Dup
                  24  MakeClosure(0)           <n>
                  25  RunBody
                  26  Pop
                  27  Return
            == t > n (Body, 0 slots, params _)
                3 | (ns n (fn f _ Color/green))
                   0  MakeClosure(0)           <f>
                   1  DefineName(0)            f
                   2  Return
            == t > n > f (Function, direct call, 0 slots, params _)
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
                   4  InitLocal(0)             x
                3 | (m x)
                   5  LoadCallee(0)            m
                   6  MacroArgs(0)             macro arguments: 1 forms, 0 props; a call resumes at 9
                   7  LoadLocal(0)             x
                   8  Call(1)
                   9  Pop
                4 | (var tpl :(x is %x))
                  10  ConstCopy(1)             :(x is %x)
                  11  InitLocal(1)             tpl
                5 | ($render tpl)
                  12  LoadLocal(1)             tpl
                  13  Render
                  14  Return
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
                  11  InitLocal(0)             m
                2 | (m ./ "a")
                  12  LoadLocal(0)             m
                  13  Const(4)                 "a"
                  14  Select
                  15  Pop
                3 | ($set m @b 3)
                  16  LoadLocal(0)             m
                  17  Const(5)                 "b"
                  18  Int(3)
                  19  SetSelect
                  20  Pop
                4 | (var xs [0 (m/a)... 9])
                  21  Int(0)
                  22  LoadLocal(0)             m
                  23  GetMember(0)             a
                  24  CheckMacro(6)            macro arguments: 0 forms, 0 props; a call resumes at 26
                  25  Call(0)
                  26  LoadName(1)              ...
                  27  Int(9)
                  28  MakeArray(4)
                  29  InitLocal(1)             xs
                5 | #"a #{xs} b"
                  30  Const(7)                 "a "
                  31  LoadLocal(1)             xs
                  32  Const(8)                 " b"
                  33  Concat(3)
                  34  Pop
                6 | ((1 .. 3) && (nil || false))
                  35  Int(1)
                  36  Int(3)
                  37  MakeRange(2)
                  38  AndJump(42)
                  39  Nil
                  40  OrJump(42)
                  41  False
                  42  Return
        "#]],
    );
}

#[test]
fn element_methods_have_ops_of_their_own() {
    // `.get` with one argument, `.set` with two and `.push` with one; other counts, names and
    // spread arguments stay method calls.
    check(
        "(var xs [])\n(xs .push 1)\n(xs .set 0 (xs .get 0))\n(xs .get 0 2)\n(xs .push 1 2)\n(xs .size)\n(xs .get xs...)",
        expect![[r#"
            == t (Module, 1 slot)
                1 | (var xs [])
                   0  MakeArray(0)
                   1  InitLocal(0)             xs
                2 | (xs .push 1)
                   2  LoadLocal(0)             xs
                   3  Int(1)
                   4  PushItem(0)              push
                   5  Pop
                3 | (xs .set 0 (xs .get 0))
                   6  LoadLocal(0)             xs
                   7  Int(0)
                   8  LoadLocal(0)             xs
                   9  Int(0)
                  10  GetItem(2)               get
                  11  SetItem(1)               set
                  12  Pop
                4 | (xs .get 0 2)
                  13  LoadLocal(0)             xs
                  14  Int(0)
                  15  Int(2)
                  16  CallMethod(2, 2)         get
                  17  Pop
                5 | (xs .push 1 2)
                  18  LoadLocal(0)             xs
                  19  Int(1)
                  20  Int(2)
                  21  CallMethod(0, 2)         push
                  22  Pop
                6 | (xs .size)
                  23  LoadLocal(0)             xs
                  24  SizeOf(3)                size
                  25  Pop
                7 | (xs .get xs...)
                  26  LoadLocal(0)             xs
                  27  MakeArray(0)
                  28  LoadLocal(0)             xs
                  29  ArrayExtend
                  30  Nil
                  31  CallMethodComplex(2)     get
                  32  Return
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
                   1  InitLocal(0)             x
                2 | (x = 1)
                   2  Int(1)
                   3  SetLocal(0)              x
                3 | (println (x = 2))
                   4  LoadCallee(0)            println
                   5  MacroArgs(0)             macro arguments: 1 forms, 0 props; a call resumes at 9
                   6  Int(2)
                   7  StoreLocal(0)            x
                   8  Call(1)
                   9  Pop
                4 | nil
                  10  Nil
                  11  Return
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
                   1  InitCell(0)              i
                2 | (i += 1)
                   2  IncLocal(0, 1)           i
                3 | (println (i -= 2))
                   3  LoadCallee(0)            println
                   4  MacroArgs(0)             macro arguments: 1 forms, 0 props; a call resumes at 7
                   5  AddLocalInt(0, -2)       i
                   6  Call(1)
                   7  Pop
                4 | (i += 100000)
                   8  LoadLocal(0)             i
                   9  Int(100000)
                  10  Add
                  11  SetLocal(0)              i
                5 | (fnxx (i += 1))
                  12  MakeClosure(0)           <fnxx>
                  13  Pop
                6 | nil
                  14  Nil
                  15  Return
            == t > fnxx (Function, direct call, 0 slots, params _)
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
                  39  InitLocal(1)             b
                9 |   (while (n < 8) (n += 1)))
                  40  Nil
                  41  InitLocal(2)
                  42  JumpUnlessLt(0, 8, 45)   n
                  43  IncLocal(0, 1)           n
                  44  Jump(42)
                  45  ReturnLocal(2)
                1 | (fn f [n]
                  46  Return
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
            == t > outer > fnxx (Function, direct call, 0 slots, params _)
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
                   4  InitLocal(0)             c
                3 | (if c 1 2)
                   5  LoadLocal(0)             c
                   6  JumpIfFalse(9)
                   7  Int(1)
                   8  Jump(10)
                   9  Int(2)
                  10  Pop
                4 | nil
                  11  Nil
                  12  Return
            == t > pick (Function, direct call, 3 slots, params [c a b])
                1 | (fn pick [c a b] (if c (a + b) (a - b)))
                   0  LoadLocal(0)             c
                   1  JumpIfFalse(4)
                   2  AddLocals(1, 2)          a b
                   3  Return
                   4  SubLocals(1, 2)          a b
                   5  Return
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
                   1  InitLocal(0)             x
                2 | (var c true)
                   2  True
                   3  InitLocal(1)             c
                3 | (if c (x = 1) (x = 2))
                   4  LoadLocal(1)             c
                   5  JumpIfFalse(9)
                   6  Int(1)
                   7  StoreLocal(0)            x
                   8  Jump(11)
                   9  Int(2)
                  10  StoreLocal(0)            x
                  11  Pop
                4 | nil
                  12  Nil
                  13  Return
        "#]],
    );
}

#[test]
fn two_locals_fuse() {
    // Two loads; arithmetic on them; `(a += b)` as a statement; a comparison of two locals
    // deciding a jump. `(a + 1)` and a third load stay as they are, and so does `(b += a)`
    // (the sum is not stored into its first operand).
    check(
        "(fn f [a b] (var c (a + b)) (c = (a * b)) (a += b) (b = (a + b)) (if (a < b) c (a - b)) [a b c])",
        expect![[r#"
            == t (Module, 0 slots)
                1 | (fn f [a b] (var c (a + b)) (c = (a * b)) (a += b) (b = (a + b)) (if (a < b) c (a - b)) [a b c])
                   0  MakeClosure(0)           <f>
                   1  DefineName(0)            f
                   2  Return
            == t > f (Function, direct call, 3 slots, params [a b])
                1 | (fn f [a b] (var c (a + b)) (c = (a * b)) (a += b) (b = (a + b)) (if (a < b) c (a - b)) [a b c])
                   0  AddLocals(0, 1)          a b
                   1  InitLocal(2)             c
                   2  MulLocals(0, 1)          a b
                   3  SetLocal(2)              c
                   4  AddToLocal(0, 1)         a b
                   5  AddLocals(0, 1)          a b
                   6  SetLocal(1)              b
                   7  JumpUnlessLtLocal(0, 1, 10) a b
                   8  LoadLocal(2)             c
                   9  Jump(11)
                  10  SubLocals(0, 1)          a b
                  11  Pop
                  12  LoadLocal2(0, 1)         a b
                  13  LoadLocal(2)             c
                  14  MakeArray(3)
                  15  Return
        "#]],
    );
}

#[test]
fn nil_tests_and_negations_fuse_into_jumps() {
    // `(x != nil)` and `(x == nil)` on a local deciding a jump; `not` before a jump flips it.
    // `(x == 1)` stays a comparison.
    check(
        "(fn f [x] (while (x != nil) (x = nil)) (if (x == nil) 1 2) (if (not x) 3 4) (if (x == 1) 5 6))",
        expect![[r#"
            == t (Module, 0 slots)
                1 | (fn f [x] (while (x != nil) (x = nil)) (if (x == nil) 1 2) (if (not x) 3 4) (if (x == 1) 5 6))
                   0  MakeClosure(0)           <f>
                   1  DefineName(0)            f
                   2  Return
            == t > f (Function, direct call, 2 slots, params [x])
                1 | (fn f [x] (while (x != nil) (x = nil)) (if (x == nil) 1 2) (if (not x) 3 4) (if (x == 1) 5 6))
                   0  Nil
                   1  InitLocal(1)
                   2  JumpIfNilLocal(0, 6)     x
                   3  Nil
                   4  SetLocal(0)              x
                   5  Jump(2)
                   6  JumpUnlessNilLocal(0, 9) x
                   7  Int(1)
                   8  Jump(10)
                   9  Int(2)
                  10  Pop
                  11  LoadLocal(0)             x
                  12  JumpIfTrue(15)
                  13  Int(3)
                  14  Jump(16)
                  15  Int(4)
                  16  Pop
                  17  LoadLocal(0)             x
                  18  Int(1)
                  19  Eq
                  20  JumpIfFalse(23)
                  21  Int(5)
                  22  Return
                  23  Int(6)
                  24  Return
        "#]],
    );
}

#[test]
fn unused_pushes_are_dropped() {
    // A `var` statement keeps only its declaring op (which a later capture still patches into
    // a cell); a local, a literal or self pushed only to be popped leaves nothing. A call's
    // value is still popped.
    check(
        "(fn f _ (var a 1) (var b 2) a 7 nil self (g) (fnx _ b))",
        expect![[r#"
            == t (Module, 0 slots)
                1 | (fn f _ (var a 1) (var b 2) a 7 nil self (g) (fnx _ b))
                   0  MakeClosure(0)           <f>
                   1  DefineName(0)            f
                   2  Return
            == t > f (Function, direct call, 2 slots, params _)
                1 | (fn f _ (var a 1) (var b 2) a 7 nil self (g) (fnx _ b))
                   0  Int(1)
                   1  InitLocal(0)             a
                   2  Int(2)
                   3  InitCell(1)              b
                   4  LoadCallee(0)            g
                   5  MacroArgs(0)             macro arguments: 0 forms, 0 props; a call resumes at 7
                   6  Call(0)
                   7  Pop
                   8  MakeClosure(0)           <fnx>
                   9  Return
            == t > f > fnx (Function, direct call, 0 slots, params _)
               captures: b (slot 1)
                1 | (fn f _ (var a 1) (var b 2) a 7 nil self (g) (fnx _ b))
                   0  LoadCapture(0)           b
                   1  Return
        "#]],
    );
}

#[test]
fn for_over_a_literal_range_is_a_counted_loop() {
    // `(a .. b)` written in the `for` runs as a counter and an end in two slots; a range
    // value (or `await`) keeps the iterator.
    check(
        "(fn f [n] (for i in (1 .. n) (println i)) (var r (1 .. n)) (for i in r (println i)))",
        expect![[r#"
            == t (Module, 0 slots)
                1 | (fn f [n] (for i in (1 .. n) (println i)) (var r (1 .. n)) (for i in r (println i)))
                   0  MakeClosure(0)           <f>
                   1  DefineName(0)            f
                   2  Return
            == t > f (Function, direct call, 5 slots, params [n])
                1 | (fn f [n] (for i in (1 .. n) (println i)) (var r (1 .. n)) (for i in r (println i)))
                   0  Nil
                   1  InitLocal(1)
                   2  Int(1)
                   3  LoadLocal(0)             n
                   4  RangeBounds
                   5  InitLocal(2)
                   6  InitLocal(3)
                   7  JumpUnlessLeLocal(3, 2, 18)
                   8  LoadLocal(3)
                   9  InitLocal(4)             i
                  10  LoadCallee(0)            println
                  11  MacroArgs(0)             macro arguments: 1 forms, 0 props; a call resumes at 14
                  12  LoadLocal(4)             i
                  13  Call(1)
                  14  Pop
                  15  JumpUnlessLtLocal(3, 2, 18)
                  16  IncLocal(3, 1)
                  17  Jump(8)
                  18  Int(1)
                  19  LoadLocal(0)             n
                  20  MakeRange(2)
                  21  InitLocal(1)             r
                  22  Nil
                  23  InitLocal(2)
                  24  LoadLocal(1)             r
                  25  IterStart
                  26  IterNext(34)
                  27  InitLocal(3)             i
                  28  LoadCallee(0)            println
                  29  MacroArgs(1)             macro arguments: 1 forms, 0 props; a call resumes at 32
                  30  LoadLocal(3)             i
                  31  Call(1)
                  32  Pop
                  33  Jump(26)
                  34  ReturnLocal(2)
                  35  Return
        "#]],
    );
}
