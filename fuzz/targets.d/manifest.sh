# Fuzz targets of the module-manifest and secret-reference parsers
# (sourced by fuzz/build.sh; $UTIL and $CORE come from there).
TARGETS[fuzz_manifest]="fuzz/fuzz_manifest.c $CORE"
TARGETS[fuzz_secretref]="fuzz/fuzz_secretref.c $UTIL"
