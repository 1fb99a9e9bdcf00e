# Fuzz targets of the hardening room (sourced by fuzz/build.sh; $src and
# $UTIL/$CORE come from there).  Each line: main file, the sources it
# needs (relative to the tree) | extra flags for clang.
TARGETS[fuzz_git]="fuzz/fuzz_git.c src/git/protocol.c src/git/url.c src/git/req.c src/git/output.c $UTIL \
	| -I$src/src/git"
TARGETS[fuzz_docker]="fuzz/fuzz_docker.c src/docker/codec.c src/docker/url.c \
	src/docker/answer.c src/docker/json.c src/docker/jsonout.c src/docker/utf8.c $UTIL | -I$src/src/docker"
TARGETS[fuzz_oauth_response]="fuzz/fuzz_oauth_response.c plugins/cobo-oauth/response.c $UTIL \
	| -I$src/plugins/cobo-oauth -ljson-c -lcrypto"
TARGETS[fuzz_file_store]="fuzz/fuzz_file_store.c plugins/file/parse.c plugins/file/serialize.c \
	plugins/file/model.c $UTIL | -I$src/plugins/file"
# key.c reaches a PKCS#11 token through appkey.c and p11*.c (p11-kit).
TARGETS[fuzz_key]="fuzz/fuzz_key.c plugins/cobo-oauth/key.c plugins/cobo-oauth/sign.c \
	plugins/cobo-oauth/appkey.c plugins/cobo-oauth/p11gen.c plugins/cobo-oauth/p11key.c \
	plugins/cobo-oauth/p11pin.c plugins/cobo-oauth/storeitem.c plugins/cobo-oauth/p11tok.c plugins/cobo-oauth/p11uri.c $UTIL \
	| -I$src/plugins/cobo-oauth $(pkg-config --cflags p11-kit-1) -lcrypto $(pkg-config --libs p11-kit-1)"
