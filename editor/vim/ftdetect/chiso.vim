" chiso rule files (docs/language.md)
autocmd BufRead,BufNewFile *.chiso setfiletype chiso
