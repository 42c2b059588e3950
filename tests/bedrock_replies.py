"""Answers of Bedrock's Converse API, as botocore's Stubber hands them back."""


def reply(text="Previously on The Raven Crown…\n- The party entered the temple.", *, tokens=(100, 20), stop="end_turn"):
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": stop,
        "usage": {"inputTokens": tokens[0], "outputTokens": tokens[1], "totalTokens": sum(tokens)},
        "metrics": {"latencyMs": 850},
    }
