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

# Inside the libraries (docs/architecture.md): the foundations include no sibling, the transport
# knows no product, and the front ends (routes, cli, validation) are included by nobody below them.
check risk/random '#include *"risk/(model|perils|simulation|calibration|metrics|backtest)/' "is risk's foundation and includes no other part of risk"
check risk/model '#include *"risk/(perils|simulation|calibration|metrics|backtest)/' "is below perils, simulation and calibration"
check risk/metrics '#include *"risk/(model|perils|simulation|calibration|backtest)/' "is plain order statistics and estimates"
check risk/simulation '#include *"risk/(calibration|backtest)/' "must not depend on fitting or backtests"
check data/store '#include *"data/repositories/' "is below the repositories"
check api/http '#include *"api/(routes|products|batch|cli|validation)/' "is transport and knows no product or route"
check api/batch '#include *"api/(http|routes|service|cli|validation)/' "runs without the server"
for part in json http service products batch routes validation; do
  check api/$part '#include *"api/cli/' "must not include the command line"
done
for part in json http service products batch validation; do
  check api/$part '#include *"api/routes/' "must not include the HTTP routes"
done
for part in json http service products batch routes; do
  check api/$part '#include *"api/validation/' "must not include tanhui validate"
done

[ $status -eq 0 ] && echo "layering ok"
exit $status
