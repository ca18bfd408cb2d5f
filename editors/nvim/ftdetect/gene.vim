" Gene source files.
autocmd BufNewFile,BufRead *.gene setfiletype gene
" A script whose first line runs gene: #!/usr/bin/env gene run
autocmd BufNewFile,BufRead * if getline(1) =~# '^#!.*\<gene\>' | setfiletype gene | endif
