" Vim syntax file
" Language:   chiso rule files (*.chiso), see docs/language.md
" Keywords:   those of src/keywords.c, in English and in Vietnamese; tests/editor_keywords.sh
"             checks that every one of them is here.
"
" A file is in English unless it starts with `language vi` (or `ngôn_ngữ vi`); from there on only
" the Vietnamese spellings are keywords, as in the scanner (grammar/lexer.l): the region chisoVi
" runs from that line to the end of the file, so `score` in a Vietnamese file is a plain name.
scriptencoding utf-8

if exists('b:current_syntax')
  finish
endif
let s:cpo_save = &cpo
set cpo&vim

syn case match
" Keywords and \< \> need `_` and every letter as word characters, whatever the buffer's
" 'iskeyword' is (letters above 255, as in ư, ơ, đ, ạ, are word characters in UTF-8 anyway).
syn iskeyword @,48-57,_,192-255
" The language of the whole file is decided on its first line.
syn sync fromstart

" ---- shared by both languages ----------------------------------------------------------------
syn keyword chisoTodo        contained TODO FIXME XXX NOTE
syn match   chisoComment     /#.*$/ contains=chisoTodo,@Spell
syn match   chisoBadEscape   /\\.\=/ contained
syn match   chisoEscape      /\\[\\"nt]/ contained
syn region  chisoString      start=/"/ skip=/\\\\\|\\"/ end=/"\|$/ oneline contains=chisoBadEscape,chisoEscape,@Spell

" literals: the later definitions win where two start at the same place
syn match   chisoNumber      /\<\d\+\%(\.\d\+\)\=\>/
syn match   chisoPercent     /\<\d\+\%(\.\d\+\)\=%/
syn match   chisoCode        /\<\d\+\%(\.\d\+\)\{2,}\>/
syn match   chisoDate        /\<\d\{4}-\d\d-\d\d\>/
syn match   chisoNodeCode    /\<\d\+\%(\.\d\+\)*\>/ contained
syn match   chisoDeclName    /\%(\d\)\@!\k\+/ contained
syn match   chisoFuncName    /\%(\d\)\@!\k\+\ze\s*(/ contained
syn match   chisoLibName     /\%(\d\)\@!\k\+/ contained

syn match   chisoOperator    /=>\|\.\.<\=\|[<>!]=\|[-+*\/=<>]/
syn match   chisoDelimiter   /[{}(),;:]/
" a call NAME(...) (a keyword such as max( stays a keyword: keywords win)
syn match   chisoCall        /\%(\d\)\@!\k\+\ze\s*(/

" `language en|vi` / `ngôn_ngữ en|vi`
syn match   chisoDirective   /\<\%(language\|ngôn_ngữ\)\>/ nextgroup=chisoLangCode skipwhite
syn match   chisoLangCode    /\<\%(en\|vi\)\>/ contained

" ---- English keywords (a file without `language vi`) -----------------------------------------
syn keyword chisoInclude     import nextgroup=chisoLibName skipwhite
syn keyword chisoDeclaration ruleset test
syn keyword chisoDeclaration fact def let nextgroup=chisoDeclName,chisoFuncName skipwhite
syn keyword chisoNode        area criterion bonus nextgroup=chisoNodeCode skipwhite
syn keyword chisoSetting     year source round index nodes leaves total half_up half_even classify
syn keyword chisoAttribute   max min range evidence note in
syn keyword chisoControl     score by sum given applicable match
syn keyword chisoControl     expect nextgroup=chisoNodeCode skipwhite
syn keyword chisoConditional if unless then else
syn keyword chisoLogical     and or not
syn keyword chisoType        number percent count bool date choice
syn keyword chisoBoolean     true false
syn keyword chisoConstant    excluded

" ---- Vietnamese keywords: from `language vi` / `ngôn_ngữ vi` to the end of the file -----------
syn keyword chisoViInclude     contained nhập nextgroup=chisoLibName skipwhite
syn keyword chisoViDeclaration contained bộ_chỉ_số kiểm_thử
syn keyword chisoViDeclaration contained dữ_kiện định_nghĩa đặt nextgroup=chisoDeclName,chisoFuncName skipwhite
syn keyword chisoViNode        contained lĩnh_vực tiêu_chí điểm_thưởng nextgroup=chisoNodeCode skipwhite
syn keyword chisoViSetting     contained năm nguồn làm_tròn chỉ_số mọi_nút chỉ_lá chỉ_tổng nửa_lên nửa_chẵn xếp_loại
syn keyword chisoViAttribute   contained tối_đa tối_thiểu khoảng kiểm_chứng ghi_chú trong
syn keyword chisoViControl     contained điểm theo tổng cho_sẵn áp_dụng xét
syn keyword chisoViControl     contained kỳ_vọng nextgroup=chisoNodeCode skipwhite
syn keyword chisoViConditional contained nếu trừ_khi thì còn_lại
syn keyword chisoViLogical     contained và hoặc không
syn keyword chisoViType        contained số phần_trăm số_đếm có_không ngày lựa_chọn
syn keyword chisoViBoolean     contained đúng sai
syn keyword chisoViConstant    contained loại_trừ

syn cluster chisoViTop contains=chisoComment,chisoString,chisoNumber,chisoPercent,chisoCode,chisoDate,chisoOperator,chisoDelimiter,chisoCall,chisoDirective,chisoVi.*
syn region  chisoVi matchgroup=chisoDirective start=/\<\%(language\|ngôn_ngữ\)\s\+vi\>/ end=/\%$/ contains=@chisoViTop

" ---- colours -----------------------------------------------------------------------------------
hi def link chisoTodo          Todo
hi def link chisoComment       Comment
hi def link chisoString        String
hi def link chisoEscape        SpecialChar
hi def link chisoBadEscape     Error
hi def link chisoNumber        Number
hi def link chisoPercent       Number
hi def link chisoDate          Number
hi def link chisoCode          Number
hi def link chisoNodeCode      Label
hi def link chisoDeclName      Identifier
hi def link chisoFuncName      Function
hi def link chisoLibName       Identifier
hi def link chisoCall          Function
hi def link chisoOperator      Operator
hi def link chisoDelimiter     Delimiter
hi def link chisoDirective     PreProc
hi def link chisoLangCode      PreProc

hi def link chisoInclude       Include
hi def link chisoDeclaration   Keyword
hi def link chisoNode          Structure
hi def link chisoSetting       StorageClass
hi def link chisoAttribute     StorageClass
hi def link chisoControl       Statement
hi def link chisoConditional   Conditional
hi def link chisoLogical       Operator
hi def link chisoType          Type
hi def link chisoBoolean       Boolean
hi def link chisoConstant      Constant

hi def link chisoViInclude     chisoInclude
hi def link chisoViDeclaration chisoDeclaration
hi def link chisoViNode        chisoNode
hi def link chisoViSetting     chisoSetting
hi def link chisoViAttribute   chisoAttribute
hi def link chisoViControl     chisoControl
hi def link chisoViConditional chisoConditional
hi def link chisoViLogical     chisoLogical
hi def link chisoViType        chisoType
hi def link chisoViBoolean     chisoBoolean
hi def link chisoViConstant    chisoConstant

let b:current_syntax = 'chiso'

let &cpo = s:cpo_save
unlet s:cpo_save
