#include "xlsx_lib.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#ifndef CHISO_XLSXWRITER_SONAME
#define CHISO_XLSXWRITER_SONAME "libxlsxwriter.so"
#endif

static xlsx_lib lib;
static const char *load_error; /* static text or dlerror()'s, set once */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    /* The soname found at build time first; the development link second. */
    void *h = dlopen(CHISO_XLSXWRITER_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) h = dlopen("libxlsxwriter.so", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        load_error = dlerror();
        if (!load_error) load_error = "not found";
        return;
    }
    /* POSIX: a data pointer from dlsym may be converted to a function pointer. */
#define XLSX_LIB_LOAD(name)                                                                        \
    if (!(*(void **)&lib.name = dlsym(h, #name))) {                                                \
        load_error = "a function is missing: " #name;                                              \
        return;                                                                                    \
    }
    XLSX_LIB_FUNCTIONS(XLSX_LIB_LOAD)
#undef XLSX_LIB_LOAD
}

const xlsx_lib *xlsx_lib_get(char *err, size_t cap)
{
    pthread_once(&once, load);
    if (load_error) {
        if (err && cap) snprintf(err, cap, "cannot load libxlsxwriter (" CHISO_XLSXWRITER_SONAME "): %s", load_error);
        return NULL;
    }
    return &lib;
}
