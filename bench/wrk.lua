-- wrk script sending the 2018 race's request: a POST of the hash call with a
-- random alphanumeric parameter of 0 to 1023 characters, as the race's
-- consumer drew it (RandomStringUtils.random(r.nextInt(1024), true, true)).
-- Usage: wrk -t2 -c256 -d30s --latency -s bench/wrk.lua http://127.0.0.1:20000/
-- wrk does not check the answers; go run ./bench does.

local chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
local prefix = "interface=com.alibaba.dubbo.performance.demo.provider.IHelloService" ..
  "&method=hash&parameterTypesString=Ljava%2Flang%2FString%3B&parameter="

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

function setup(thread)
  thread:set("seed", math.random(1, 2147483647))
end

function init(args)
  math.randomseed(seed or os.time())
end

function request()
  local n = math.random(0, 1023)
  local t = {}
  for i = 1, n do
    local k = math.random(1, 62)
    t[i] = chars:sub(k, k)
  end
  return wrk.format(nil, nil, nil, prefix .. table.concat(t))
end
