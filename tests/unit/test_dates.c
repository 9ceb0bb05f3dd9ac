/* Dates as days since 1970-01-01: values checked against Unix time (seconds / 86400). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dates.h"

static void known_days(void **state)
{
    (void)state;
    assert_int_equal(date_days(1970, 1, 1), 0);
    assert_int_equal(date_days(1969, 12, 31), -1);
    assert_int_equal(date_days(2000, 3, 1), 11017);  /* 951868800 s */
    assert_int_equal(date_days(2024, 1, 1), 19723);  /* 1704067200 s */
    assert_int_equal(date_days(2024, 12, 31), 20088); /* 1735603200 s */
}

static void validity(void **state)
{
    (void)state;
    assert_true(date_valid(2024, 2, 29));
    assert_false(date_valid(2023, 2, 29));
    assert_false(date_valid(1900, 2, 29));
    assert_true(date_valid(2000, 2, 29));
    assert_false(date_valid(2024, 4, 31));
    assert_false(date_valid(2024, 13, 1));
    assert_false(date_valid(2024, 0, 1));
    assert_false(date_valid(2024, 1, 0));
    assert_int_equal(date_month_days(2024, 2), 29);
    assert_int_equal(date_month_days(2023, 2), 28);
}

/* Every day from 1600 to 2400 goes to a valid civil date and back, one day after the other. */
static void round_trip(void **state)
{
    (void)state;
    int64_t from = date_days(1600, 1, 1), to = date_days(2400, 12, 31);
    int64_t py = 1599;
    int pm = 12, pd = 31;
    for (int64_t z = from; z <= to; z++) {
        int64_t y;
        int m, d;
        date_civil(z, &y, &m, &d);
        assert_true(date_valid(y, m, d));
        assert_int_equal(date_days(y, m, d), z);
        bool next = (y == py && m == pm && d == pd + 1) || (y == py && m == pm + 1 && d == 1 && pd == date_month_days(py, pm)) ||
                    (y == py + 1 && m == 1 && d == 1 && pm == 12 && pd == 31);
        assert_true(next);
        py = y, pm = m, pd = d;
    }
}

static void formats(void **state)
{
    (void)state;
    char buf[32];
    assert_int_equal(date_format(date_days(2024, 3, 5), false, buf, sizeof buf), 10);
    assert_string_equal(buf, "05/03/2024");
    date_format(date_days(2024, 3, 5), true, buf, sizeof buf);
    assert_string_equal(buf, "2024-03-05");
    date_format(-1, false, buf, sizeof buf);
    assert_string_equal(buf, "31/12/1969");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_days),
        cmocka_unit_test(validity),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
