" Indentation of bracketed forms, computed by lua/gene/indent.lua.
if exists('b:did_indent')
  finish
endif
let b:did_indent = 1

setlocal indentexpr=GeneIndent(v:lnum)
setlocal indentkeys=!^F,o,O,0),0],0}
setlocal nolisp nosmartindent autoindent

let b:undo_indent = 'setlocal indentexpr< indentkeys< lisp< smartindent< autoindent<'

if exists('*GeneIndent')
  finish
endif

function! GeneIndent(lnum) abort
  return luaeval('require("gene.indent").indent(_A[1], _A[2])', [bufnr('%'), a:lnum])
endfunction
