-- wrk script for bench/load.sh: POST {} to the token route, cycling through the caller tokens in $TOKENS_FILE
-- (one customer per token, so the .NET per-customer rate limiter sees a realistic spread and never refuses).
-- Requests are built in init(), once wrk has set the Host header; building them at load time sends none (400).
local requests = {}
local next_index = 0

init = function(args)
  local path = os.getenv("TOKEN_PATH") or "/api/integration-app/token"
  for line in io.lines(os.getenv("TOKENS_FILE")) do
    if #line > 0 then
      requests[#requests + 1] = wrk.format("POST", path, {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer " .. line,
      }, "{}")
    end
  end
end

request = function()
  next_index = next_index % #requests + 1
  return requests[next_index]
end
