#!/bin/bash
. "$top_srcdir/tests/lib/common.sh"
t_done
