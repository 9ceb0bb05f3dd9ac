/* libxlsxwriter, opened with dlopen the first time a workbook is written. Linked at start-up it
 * (through minizip and OpenSSL) cost every chiso command about 2 ms, more than checking a rule file
 * takes; only `--format xlsx` and `chiso template -f xlsx` need it. The header still gives the types
 * and the signatures: each function is called through a pointer of its own declared type. */
#ifndef CHISO_XLSX_LIB_H
#define CHISO_XLSX_LIB_H
#include <stddef.h>
#include <xlsxwriter.h>

#define XLSX_LIB_FUNCTIONS(X)                                                                      \
    X(workbook_new) X(workbook_close) X(workbook_add_worksheet) X(workbook_add_format)              \
    X(workbook_set_properties) X(worksheet_write_string) X(worksheet_write_number)                 \
    X(worksheet_write_blank) X(worksheet_set_column) X(worksheet_set_row) X(worksheet_freeze_panes) \
    X(worksheet_set_selection) X(worksheet_autofilter) X(worksheet_data_validation_cell)           \
    X(worksheet_repeat_rows) X(worksheet_repeat_columns) X(worksheet_fit_to_pages)                 \
    X(worksheet_set_landscape) X(worksheet_set_paper) X(format_set_bold) X(format_set_align)       \
    X(format_set_text_wrap) X(format_set_num_format) X(format_set_border) X(format_set_bg_color)   \
    X(format_set_pattern)

typedef struct {
#define XLSX_LIB_FIELD(name) __typeof__(name) *name;
    XLSX_LIB_FUNCTIONS(XLSX_LIB_FIELD)
#undef XLSX_LIB_FIELD
} xlsx_lib;

/* The functions, loaded once (thread-safe); NULL when the library cannot be loaded, with the
 * reason in err. */
const xlsx_lib *xlsx_lib_get(char *err, size_t cap);

#endif
