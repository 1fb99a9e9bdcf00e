/*
 * logout.h - dropping one profile's cached tokens (logout, profile remove).
 */
#ifndef COBOCRED_CLI_LOGOUT_H
#define COBOCRED_CLI_LOGOUT_H

#include "cli.h"

/*
 * Erases the refresh and access tokens of profile's org (NULL: of each
 * org it serves; org_id = *: each org the stores hold tokens of), and
 * with forget_key its stored app secret unless another profile shares
 * the client_id.  Prints what it removed.  Returns CLI_EX_*.
 */
int cli_logout_profile(struct cli *cli, const char *profile, const char *org, int forget_key);

#endif
