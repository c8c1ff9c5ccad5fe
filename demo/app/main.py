"""A small chat helper with the mistakes people make every day."""

import os

import openai
import requests
from anthropic import Anthropic

openai.api_key = "sk-..."
openai.api_base = os.getenv("OPENAI_API_BASE")

claude = Anthropic(api_key="sk-ant-api03-KeylintDemoNotRealAnthropic1KeylintDemoNotRealAnthropic1KeylintDemoNotRealAnthropic1KeylintDeAA")


def complete(prompt: str) -> str:
    response = openai.ChatCompletion.create(
        engine="text-davinci-003",
        messages=[{"role": "user", "content": prompt}],
    )
    return response["choices"][0]["message"]["content"]


def ask_groq(prompt: str) -> dict:
    key = os.environ.get("GROQ_KEY")
    headers = {"Authorization": "Bearer" + key}
    url = "https://api.groq.com/openai/v1/chat/completions"
    return requests.post(url, headers=headers, json={"messages": [prompt]}).json()


def ask_anthropic_raw(prompt: str) -> dict:
    headers = {"Authorization": "Bearer {key}", "content-type": "application/json"}
    return requests.post(
        "https://api.anthropic.com/v1/complete", headers=headers, json={"prompt": prompt}
    ).json()


try:
    print(complete("hello"))
except openai.error.RateLimitError:
    print("slow down")
