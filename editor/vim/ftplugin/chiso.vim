" Vim filetype plugin: chiso rule files (docs/language.md)
scriptencoding utf-8
if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1

" `#` comments; names and Vietnamese keywords join words with `_` (tiêu_chí, co_tthc): make w, *
" and completion treat them as one word. Letters above 255 (ư, ơ, đ, ạ...) already are word
" characters in a UTF-8 buffer.
setlocal commentstring=#\ %s
setlocal comments=:#
setlocal formatoptions-=t formatoptions+=croql
setlocal iskeyword+=_,192-255
let b:undo_ftplugin = 'setlocal commentstring< comments< formatoptions< iskeyword<'

" The rule files of the project are indented by 2 spaces; `let g:chiso_recommended_style = 0`
" keeps your own settings.
if get(g:, 'chiso_recommended_style', 1)
  setlocal expandtab shiftwidth=2 softtabstop=2
  let b:undo_ftplugin .= ' expandtab< shiftwidth< softtabstop<'
endif
