#!/usr/bin/env bash
# Smoke test against the API
curl https://api.openai.com/v1/engines/davinci/completions \
  -H 'Authorization: Bearer $OPENAI_API_KEY' \
  -d '{"prompt": "hi"}'
