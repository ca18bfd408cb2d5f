" Gene buffers: comments, word characters and the indentation of bracketed forms.
if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1

" `# ` starts a line comment (a `#` glued to a word is part of a symbol); `#< ... >#` is a block.
setlocal commentstring=#\ %s
setlocal comments=:#
setlocal formatoptions-=t formatoptions+=croql
"" Symbols may hold - ? ! * + < > = / . $ @ ^, so `gene/sleep_async`, `ok?`, `^key` and `x...`
" are one word. (A `^` must come last in the option to mean itself.)
setlocal iskeyword=@,48-57,_,192-255,-,?,!,*,+,<,>,=,/,.,$,@-@,^
setlocal shiftwidth=2 softtabstop=2 expandtab

let b:undo_ftplugin = 'setlocal commentstring< comments< formatoptions< iskeyword< shiftwidth< softtabstop< expandtab<'
