#!/usr/bin/env bash
# Fails when a pure layer includes I/O, or a lower layer includes a higher one.
set -u
root=${1:-.}
status=0
check() {  # folder, forbidden extended regex, reason
  local hits
  hits=$(grep -rnE --include='*.hpp' --include='*.cpp' "$2" "$root/$1" 2>/dev/null)
  if [ -n "$hits" ]; then
    echo "layering: $1/ $3:"; echo "$hits"; status=1
  fi
}
io='#include *[<"](SQLiteCpp|sqlite3|boost/beast|boost/asio|nlohmann|fstream|CLI/|mpi\.h)'
check risk "$io" "must stay pure"
check pricing "$io" "must stay pure"
check data '#include *"(risk|pricing|api)/' "must not include a higher layer"
check risk '#include *"(pricing|api)/' "must not include a higher layer"
check pricing '#include *"api/' "must not include a higher layer"
[ $status -eq 0 ] && echo "layering ok"
exit $status
