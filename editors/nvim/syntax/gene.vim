" Vim syntax file for Gene (the reader syntax of gene-language.md section 1).
"
" A token runs until whitespace, a comma or one of " % ( ) [ ] { }; `#`, `'`, `:`, `^`, `/` and
" `.` do not end one. So most rules below only start at a token boundary (s:start) and end
" at one (s:end).

if exists('b:current_syntax')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syntax case match
syntax sync minlines=200

" A character that ends a token, as a collection; the same, negated, for a token character.
let s:bound = '[[:space:],"%()[\]{}]'
let s:tok = '[^[:space:],"%()[\]{}]'
" Zero-width: at the start / end of a token.
let s:start = '\%(^\|' . s:bound . '\)\@1<='
let s:end = '\%($\|' . s:bound . '\)\@='

function! s:match(group, pattern, ...) abort
  execute 'syntax match ' . a:group . ' /' . escape(a:pattern, '/') . '/ ' . join(a:000, ' ')
endfunction

" -- Comments: `#` then a space, `!`, `#` or the end of the line; `#< ... >#` (closed by the first
"    `>#` whose `>` does not follow another `>`).
call s:match('geneLineComment', s:start . '#\%([ !#].*\)\=$', 'contains=geneTodo,@Spell')
execute 'syntax region geneBlockComment start=/' . s:start . '#</ end=/>\@1<!>#/ contains=geneTodo,@Spell'
syntax keyword geneTodo contained TODO FIXME XXX NOTE

" -- Strings. Escapes: \n \t \r \b \uXXXX, and \ before anything else.
syntax match geneEscape /\\u\x\{4}\|\\./ contained
syntax match geneBadEscape /\\u\x\{0,3}\X\@=/ contained
syntax region geneString start=/"/ skip=/\\./ end=/"/ contains=geneBadEscape,geneEscape,@Spell
syntax region geneString start=/"""/ skip=/\\./ end=/"""/ contains=geneBadEscape,geneEscape,@Spell
" Interpolated strings: #{form} or #{^k v}, #(...) and #[...] insert forms, #<...># is dropped.
syntax region geneIString matchgroup=geneIStringDelim start=/#"/ skip=/\\./ end=/"/
      \ contains=geneBadEscape,geneEscape,geneInterp,geneInterpGene,geneInterpArray,geneInterpComment
syntax region geneIString matchgroup=geneIStringDelim start=/#"""/ skip=/\\./ end=/"""/
      \ contains=geneBadEscape,geneEscape,geneInterp,geneInterpGene,geneInterpArray,geneInterpComment
syntax region geneInterp matchgroup=geneInterpDelim start=/#{/ end=/}/ contained contains=@geneForms
syntax region geneInterpGene matchgroup=geneInterpDelim start=/#(/ end=/)/ contained contains=@geneForms
syntax region geneInterpArray matchgroup=geneInterpDelim start=/#\[/ end=/]/ contained contains=@geneForms
syntax region geneInterpComment start=/#</ end=/>\@1<!>#/ contained

" -- Characters: 'x', '\n', '\''.
call s:match('geneChar', s:start . "'\\%(\\\\.\\|[^\\\\']\\)'" . s:end)
call s:match('geneError', s:start . "'\\%(\\\\.\\|[^\\\\' ]\\)\\{2,}'" . s:end)

" -- Numbers; a number glued to letters, `-`, `:` or `/` (3px, 0x1F, dates, times, ratios) is an
"    error.
call s:match('geneError', s:start . '[+-]\=\d' . s:tok . '*')
call s:match('geneNumber', s:start . '[+-]\=\d\+' . s:end)
call s:match('geneFloat', s:start . '[+-]\=\d\+\%(\.\d*\%([eE][+-]\=\d\+\)\=\|[eE][+-]\=\d\+\)' . s:end)

" -- Symbols with a meaning of their own.
call s:match('geneConstant', s:start . '\%(nil\|true\|false\|_\)' . s:end)
call s:match('geneSelf', s:start . 'self' . s:end)
call s:match('geneSpecialVar', s:start . '\$[^[:space:],"%()[\]{}/]\+')
call s:match('geneSelector', s:start . '@' . s:tok . '*')
call s:match('geneKeyword', s:start . '\%(elif\|else\|then\|catch\|finally\|in\|from\|not\)' . s:end)
call s:match('geneOperator', s:start . '\%(\*\*\|[-+*/<>]=\=\|==\|!=\|=\|&&\|||\|\.\.\.\=\|->\|\./\)' . s:end)
call s:match('geneOperator', s:start . '\./\ze' . s:tok)
call s:match('geneOperator', '\.\.\.' . s:end)
call s:match('geneMethod', '\%(^\|' . s:bound . '\|/\)\@1<=\.\a' . '[^[:space:],"%()[\]{}/]*')
call s:match('geneNamespace', s:start . '\%(gene\|genex\|global\)/\@=')
call s:match('genePathSep', s:tok . '\@1<=/\|' . s:start . '/' . s:tok . '\@=')

" -- Properties ^key ^^flag ^!flag ^a^b, and ^^async on a function.
call s:match('geneProperty', s:start . '\%(\^[\^!]\=[^[:space:],"%()[\]{}^]\+\)\+', 'contains=geneAsync')
call s:match('geneAsync', '\^\^\zs\%(async\|generator\)' . s:end, 'contained')

" -- Reader prefixes: :quote, %unquote, %_discard, #@decorator.
call s:match('geneQuote', s:start . ':' . '[[:space:],)\]}]\@!')
syntax match geneUnquote /%_\=/
call s:match('geneDecorator', s:start . '#@' . s:tok . '*')

" -- Forms. The head of a gene: special forms, definitions and the names they define.
let s:head = '\%((\s*\)\@<='
call s:match('geneSpecialForm', s:head . '\%(if\|do\|void\|loop\|while\|for\|repeat\|break\|continue\|return\|try\|throw\|match\|import\|async\|await\|yield\|new\|super\|quote\|\$caller_eval\|\$render\|\$with\|\$tap\|\$set\|\$parse\|\$emit\)' . s:end)
call s:match('geneDefine', s:head . '\%(fn\|fnx\|fnxx\|macro\|var\|class\|ns\|enum\|\.fn\|\.ctor\|->\)' . s:end)
call s:match('geneDefName', '\%((\s*\%(fn\|macro\|\.fn\)\%(\s\+\^[\^!]' . s:tok . '\+\)*\s\+\)\@<=' . '[^[:space:],"%()[\]{}^:''#0-9+-]' . s:tok . '*')
call s:match('geneTypeName', '\%((\s*\%(class\|ns\|enum\)\s\+\)\@<=' . '[^[:space:],"%()[\]{}^:''#0-9+-]' . s:tok . '*')
call s:match('geneTypeName', '\%((\s*class\s\+' . s:tok . '\+\s\+<\s\+\)\@<=' . s:tok . '\+')

syntax region geneGene matchgroup=geneParen start=/(/ end=/)/ contains=@geneForms fold
syntax region geneArray matchgroup=geneParen start=/\[/ end=/]/ contains=@geneForms fold
syntax region geneMap matchgroup=geneParen start=/{/ end=/}/ contains=@geneForms fold
execute 'syntax region geneSet matchgroup=geneParen start=/' . s:start . '#\[/ end=/]/ contains=@geneForms fold'
syntax match geneStray /[)\]}]/

syntax cluster geneForms contains=geneLineComment,geneBlockComment,geneString,geneIString,geneChar,geneError,geneNumber,geneFloat,geneConstant,geneSelf,geneSpecialVar,geneSelector,geneKeyword,geneOperator,geneMethod,geneNamespace,genePathSep,geneProperty,geneQuote,geneUnquote,geneDecorator,geneSpecialForm,geneDefine,geneDefName,geneTypeName,geneGene,geneArray,geneMap,geneSet,geneStray

highlight default link geneLineComment Comment
highlight default link geneBlockComment Comment
highlight default link geneInterpComment Comment
highlight default link geneTodo Todo
highlight default link geneString String
highlight default link geneIString String
highlight default link geneIStringDelim String
highlight default link geneEscape SpecialChar
highlight default link geneBadEscape Error
highlight default link geneInterpDelim Delimiter
highlight default link geneChar Character
highlight default link geneNumber Number
highlight default link geneFloat Float
highlight default link geneError Error
highlight default link geneStray Error
highlight default link geneConstant Constant
highlight default link geneSelf Special
highlight default link geneSpecialVar Special
highlight default link geneSelector Constant
highlight default link geneKeyword Keyword
highlight default link geneOperator Operator
highlight default link geneMethod Function
highlight default link geneNamespace Include
highlight default link genePathSep Delimiter
highlight default link geneProperty Identifier
highlight default link geneAsync StorageClass
highlight default link geneQuote PreProc
highlight default link geneUnquote PreProc
highlight default link geneDecorator PreProc
highlight default link geneSpecialForm Statement
highlight default link geneDefine Keyword
highlight default link geneDefName Function
highlight default link geneTypeName Type
highlight default link geneParen Delimiter

let b:current_syntax = 'gene'

let &cpo = s:cpo_save
unlet s:cpo_save
