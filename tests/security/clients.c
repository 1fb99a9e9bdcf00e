/*
 * clients.c - see clients.h.
 */
#include "config.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cutest.h"
#include "clients.h"

static char rec[600];	 /* where the recording helper writes the request it got */
static char dk_bin[600]; /* docker-credential-cobo: the recorder, first on PATH */
static char dcfg[600];	 /* DOCKER_CONFIG: credsStore cobo */

/* 1 if name is an executable file in a directory of PATH. */
static int on_path(const char *name)
{
	const char *p = getenv("PATH");
	char file[4096];
	size_t n;

	for (; p != NULL && *p != '\0'; p += n + (p[n] == ':')) {
		n = strcspn(p, ":");
		if (n == 0 || n + strlen(name) + 2 > sizeof(file))
			continue;
		memcpy(file, p, n);
		file[n] = '/';
		memcpy(file + n + 1, name, strlen(name) + 1);
		if (access(file, X_OK) == 0)
			return 1;
	}
	return 0;
}

void clients_require(const char *const *names)
{
	for (; *names != NULL; names++) {
		if (!on_path(*names)) {
			fprintf(stderr,
				"skipped: no %s on PATH (this test drives the real client)\n",
				*names);
			exit(77);
		}
	}
}

void clients_init(const char *tmp)
{
	char p[700], path[8192];

	inproc_fmt(rec, sizeof(rec), "%s/recorded", tmp);
	inproc_fmt(dk_bin, sizeof(dk_bin), "%s/bin", tmp);
	inproc_fmt(dcfg, sizeof(dcfg), "%s/dcfg", tmp);
	if (mkdir(dk_bin, 0700) != 0 || mkdir(dcfg, 0700) != 0) {
		perror(dk_bin);
		exit(99);
	}
	inproc_fmt(p, sizeof(p), "%s/docker-credential-cobo", dk_bin);
	cutest_write(p,
		     "#!/bin/sh\n"
		     "[ \"$1\" = get ] && cat >\"$COBO_REC\"\n"
		     "echo 'credentials not found in native keychain'\n"
		     "exit 1\n",
		     0700);
	inproc_fmt(p, sizeof(p), "%s/config.json", dcfg);
	cutest_write(p, "{\"credsStore\":\"cobo\"}\n", 0600);
	inproc_fmt(path, sizeof(path), "%s:%s", dk_bin,
		   getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	setenv("PATH", path, 1);
	setenv("COBO_REC", rec, 1);
	setenv("DOCKER_CONFIG", dcfg, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_TERMINAL_PROMPT", "0", 1);
	setenv("NO_PROXY", "127.0.0.1,localhost", 1);
	setenv("no_proxy", "127.0.0.1,localhost", 1);
	unsetenv("GIT_ASKPASS");
	unsetenv("SSH_ASKPASS");
	unsetenv("GIT_CONFIG_PARAMETERS");
	unsetenv("GIT_CONFIG_COUNT");
	unsetenv("http_proxy");
	unsetenv("https_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("HTTPS_PROXY");
	unsetenv("ALL_PROXY");
	unsetenv("all_proxy");
}

/*
 * Runs argv with stdin from input (NULL: /dev/null), its output dropped;
 * Docker (input NULL) under `timeout 60`, as the script ran it.  posix_spawn, not fork: a
 * fork copies the sanitizer's page tables, most of a client's cost here.
 */
static void client(char *const argv[], const char *input)
{
	char in[700], *args[16];
	posix_spawn_file_actions_t fa;
	extern char **environ;
	pid_t pid;
	int st, n = 0;

	inproc_fmt(in, sizeof(in), "%s.in", rec);
	if (input != NULL)
		cutest_write(in, input, 0600);
	if (input == NULL) {
		args[n++] = "timeout";
		args[n++] = "60";
	}
	while (*argv != NULL && n < 15)
		args[n++] = *argv++;
	args[n] = NULL;
	if (posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, 0, input != NULL ? in : "/dev/null", O_RDONLY,
					     0) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) != 0 ||
	    posix_spawn_file_actions_adddup2(&fa, 1, 2) != 0 ||
	    posix_spawnp(&pid, args[0], &fa, NULL, args, environ) != 0) {
		perror("posix_spawnp");
		exit(99);
	}
	posix_spawn_file_actions_destroy(&fa);
	while (waitpid(pid, &st, 0) < 0)
		;
}

/* The request the recorder got, into buf (len bytes, may hold NUL); -1 if never asked. */
static int recorded(char *buf, size_t cap, size_t *len)
{
	FILE *f = fopen(rec, "rb");

	if (f == NULL)
		return -1;
	*len = fread(buf, 1, cap - 1, f);
	buf[*len] = '\0'; /* the helpers' own readers end their buffers so */
	fclose(f);
	return 0;
}

int clients_git(const char *url, const char *config, struct inproc *res)
{
	char *argv[] = { "git",
			 "-c",
			 "credential.helper=",
			 "-c",
			 "credential.helper=!f() { cat >\"$COBO_REC\"; }; f",
			 "-c",
			 (char *)(config != NULL ? config : "credential.interactive=false"),
			 "credential",
			 "fill",
			 NULL };
	char input[1024], req[4096];
	size_t len = 0;

	unlink(rec);
	inproc_fmt(input, sizeof(input), "url=%s\n", url);
	client(argv, input);
	if (recorded(req, sizeof(req), &len) != 0)
		return -1;
	inproc_git_n("get", req, len, res);
	return 0;
}

int clients_docker(const char *server, struct inproc *res)
{
	char *argv[] = { "docker", "login", (char *)server, NULL };
	char in[4096];
	size_t len = 0;

	unlink(rec);
	client(argv, NULL);
	if (recorded(in, sizeof(in), &len) != 0)
		return -1;
	inproc_docker_get(in, len, res);
	return 0;
}
