# Fuzz target of the kernel room (sourced by fuzz/build.sh; $src and $UTIL
# come from there): the kernel key payload and description parser.
TARGETS[fuzz_kernel_payload]="fuzz/fuzz_kernel_payload.c plugins/kernel/payload.c $UTIL \
	| -I$src/plugins/kernel"
