/*
 * doctor.h - checks of 'cobo-credential doctor' that live in their own file.
 */
#ifndef COBOCRED_CLI_DOCTOR_H
#define COBOCRED_CLI_DOCTOR_H

#include "cobocred/module.h" /* COBOCRED_PRINTF */

enum { DOCTOR_OK, DOCTOR_WARN, DOCTOR_FAIL };

/* How a check reports: level, the fix (shown unless OK), then the line. */
struct doctor_report {
	void (*report)(void *arg, int level, const char *fix, const char *fmt, ...)
		COBOCRED_PRINTF(4, 5);
	void *arg;
};

/* keyctl permitted here, and the user's key quota (doctor_kernel.c). */
void doctor_check_kernel(struct doctor_report *d);

#endif
