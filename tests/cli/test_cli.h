/*
 * test_cli.h - the suites of test_cli (cobo-credential's pure parts).
 */
#ifndef COBOCRED_TEST_CLI_H
#define COBOCRED_TEST_CLI_H

#include "cutest.h"

extern const struct cutest_case cli_format_cases[];
extern const struct cutest_case cli_conf_cases[];

#endif
