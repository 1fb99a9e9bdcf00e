/*
 * test_paths.h - what the two halves of test_paths share: the run's
 * places and ids, file set-up that aborts the run when the machine says
 * no (a variant whose tree is not what it claims would prove nothing),
 * the configs security-paths.sh wrote, and ERE matching of messages.
 */
#ifndef COBOCRED_TEST_PATHS_H
#define COBOCRED_TEST_PATHS_H

#include <stddef.h>
#include <sys/types.h>

#include "cobocred/module.h"
#include "inproc.h"

struct paths_env {
	char tmp[256];	    /* the run's private directory (cutest_tmpdir) */
	char conf[512];	    /* $XDG_CONFIG_HOME/cobo-credential/config: a kind's config */
	char mods[1024];    /* the module path: the build's modules and the test modules */
	char scripted[512]; /* the scripted test module (answers what its section says) */
	char key_hex[65];   /* an app secret (32 random bytes in hex) */
	char rogue_hex[65]; /* another, planted where a wrong lookup would find it */
	uid_t me, other;    /* our uid; another (nobody's) for the chown variants */
};
extern struct paths_env pe;

/* Aborts the run (exit 99) unless ok, naming what failed on path. */
void paths_must(int ok, const char *what, const char *path);
void paths_mkdir(const char *path, unsigned mode);
void paths_copy(const char *from, const char *to, unsigned mode);
/* path := the text of fmt, mode 0600. */
void paths_conf(const char *path, const char *fmt, ...) COBOCRED_PRINTF(2, 3);
/* Uses path as the configuration (COBO_CREDENTIAL_CONFIG). */
void paths_use_conf(const char *path);
void paths_drop_conf(void);

/* security-paths.sh's profile(), etcd_module() and probe_stack(), each
 * followed by the lines in extra ("" for none; each ends with "\n"). */
void paths_profile(const char *path, const char *extra);
void paths_etcd(const char *path, const char *extra);
void paths_probe(const char *path);

/*
 * 1 if text matches the extended regular expression re, where @T@, @ME@
 * and @OTHER@ stand for pe.tmp, pe.me and pe.other (as the script's
 * $T_TMP, $ME and $OTHER).  On no match, prints what and both to stderr.
 */
int paths_match(const char *what, const char *re, const char *text);

/* A git get on protocol=https host=x.example, traced into a new file: 1
 * if the trace says the etcd module loaded (it read its files). */
int paths_git_etcd(struct inproc *res);

/* The relative-path half (test_paths_rel.c). */
void test_rel_key_spellings(void);
void test_rel_ca_file(void);
void test_rel_etcd_files(void);
void test_rel_file_store(void);
void test_rel_tilde_user_and_relative_config(void);

#endif
