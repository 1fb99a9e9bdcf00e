# Fuzz target of signed requests (sourced by fuzz/build.sh; $src, $CORE come
# from there): the target split (src/cobo/target.c) and the one string-to-sign
# of cobo-oauth (plugins/cobo-oauth/sign.c), end to end.
TARGETS[fuzz_request]="fuzz/fuzz_request.c $CORE src/cobo/target.c plugins/cobo-oauth/sign.c \
	| -I$src/plugins/cobo-oauth -lcrypto"
