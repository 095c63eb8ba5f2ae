/**
 * Stand-ins for the `openai` and `anthropic` Python packages, for dry-runs on machines where
 * they are not installed. They are small pure-Python modules that send the snippet's requests,
 * as the real SDKs would, to the base URLs the sandbox sets (OPENAI_BASE_URL, ANTHROPIC_BASE_URL,
 * which name the stub server), and wrap the answers in objects that read like the SDKs' own
 * (`r.choices[0].message.content`, `msg.content[0].text`, `r.output_text`, streams, async
 * clients, the legacy `openai.ChatCompletion.create`).
 *
 * They never replace an installed SDK: the sandbox appends their folder to the end of sys.path
 * (python-hook.ts), after site-packages, so `import openai` finds the real package first when
 * there is one. Each request says which stand-in sent it (the `x-fang-stand-in` header), and the
 * stub server notes it in the report, so a report always says when a stand-in answered.
 *
 * Python source, kept as text: no backquotes and no dollar-brace in it.
 */

const COMMON_PY = String.raw`"""Fang's helpers for the stand-in SDK modules (see src/sandbox/python-stubs.ts)."""
import json
import os
import urllib.error
import urllib.request


class Obj(dict):
    """A JSON object that also reads as attributes, like the SDKs' response models."""

    def __getattr__(self, name):
        # The SDKs' models read absent optional fields as None (a stream's last delta has no content).
        if name.startswith('_'):
            raise AttributeError(name)
        return self.get(name)

    def model_dump(self, **kwargs):
        return json.loads(json.dumps(self))

    to_dict = model_dump

    def model_dump_json(self, **kwargs):
        return json.dumps(self)

    to_json = model_dump_json


def wrap(value):
    if isinstance(value, dict):
        return Obj((k, wrap(v)) for k, v in value.items())
    if isinstance(value, list):
        return [wrap(v) for v in value]
    return value


class StandInError(Exception):
    def __init__(self, message, status_code=None, body=None):
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.body = body


def post(module, url, body, headers):
    data = json.dumps(body, default=str).encode('utf-8')
    all_headers = {'content-type': 'application/json', 'x-fang-stand-in': module}
    all_headers.update(headers or {})
    request = urllib.request.Request(url, data=data, headers=all_headers, method='POST')
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read().decode('utf-8') or '{}')
    except urllib.error.HTTPError as e:
        raise StandInError('%s stand-in: HTTP %d from %s' % (module, e.code, url), e.code, e.read().decode('utf-8', 'replace')) from None
    except urllib.error.URLError as e:
        raise StandInError('%s stand-in: cannot reach %s: %s' % (module, url, e.reason)) from None


def base_url(given, variable, default):
    return (given or os.environ.get(variable) or default).rstrip('/')


def request_body(kwargs):
    body = {k: v for k, v in kwargs.items() if k not in ('stream', 'extra_headers', 'extra_query', 'extra_body', 'timeout') and v is not None}
    body.update(kwargs.get('extra_body') or {})
    return body


class AsyncWrap:
    """The async client's namespaces: the same calls, as coroutines."""

    def __init__(self, target):
        self._target = target

    def __getattr__(self, name):
        value = getattr(self._target, name)
        if callable(value):
            async def call(*args, **kwargs):
                result = value(*args, **kwargs)
                return AsyncIter(result) if isinstance(result, Stream) else result
            return call
        return AsyncWrap(value)


class Stream:
    def __init__(self, chunks, final=None):
        self._chunks = list(chunks)
        self._final = final

    def __iter__(self):
        return iter(self._chunks)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def close(self):
        pass


class AsyncIter:
    def __init__(self, stream):
        self._items = iter(stream)
        self._stream = stream

    def __aiter__(self):
        return self

    async def __anext__(self):
        try:
            return next(self._items)
        except StopIteration:
            raise StopAsyncIteration from None

    async def __aenter__(self):
        return self._stream

    async def __aexit__(self, *exc):
        return False
`;

const OPENAI_PY = String.raw`"""Fang's stand-in for the openai package inside a dry-run sandbox (src/sandbox/python-stubs.ts).

The real package is not installed on this machine, so this module sends the same requests to
OPENAI_BASE_URL, which points at the sandbox's stub server, and wraps the answers.
"""
import time as _time

from _fang_stub import AsyncWrap, Obj, StandInError, Stream, base_url, post, request_body, wrap

__version__ = '0.0.0+fang-stand-in'
FANG_STAND_IN = True
api_key = None
base_url_default = None

OpenAIError = StandInError
APIError = StandInError
APIConnectionError = StandInError
APIStatusError = StandInError
RateLimitError = StandInError
AuthenticationError = StandInError
BadRequestError = StandInError
NotFoundError = StandInError
APITimeoutError = StandInError
InternalServerError = StandInError


class _Namespace:
    def __init__(self, client):
        self._client = client


class _ChatCompletions(_Namespace):
    def create(self, **kwargs):
        answer = wrap(self._client._post('/chat/completions', request_body(kwargs)))
        if not kwargs.get('stream'):
            return answer
        text = answer['choices'][0]['message'].get('content') or ''
        chunk = lambda delta, finish: wrap({'id': answer.get('id'), 'object': 'chat.completion.chunk', 'created': int(_time.time()), 'model': answer.get('model'), 'choices': [{'index': 0, 'delta': delta, 'finish_reason': finish}]})
        return Stream([chunk({'role': 'assistant', 'content': text}, None), chunk({}, 'stop')], answer)

    parse = create

    def stream(self, **kwargs):
        kwargs['stream'] = True
        return self.create(**kwargs)


class _Chat(_Namespace):
    def __init__(self, client):
        super().__init__(client)
        self.completions = _ChatCompletions(client)


class _Completions(_Namespace):
    def create(self, **kwargs):
        return wrap(self._client._post('/completions', request_body(kwargs)))


class _Responses(_Namespace):
    def create(self, **kwargs):
        answer = wrap(self._client._post('/responses', request_body(kwargs)))
        if 'output_text' not in answer:
            answer['output_text'] = ''.join(c.get('text', '') for o in answer.get('output', []) for c in o.get('content', []))
        return answer

    parse = create


class _Models(_Namespace):
    def list(self):
        return wrap({'object': 'list', 'data': []})


class _Embeddings(_Namespace):
    def create(self, **kwargs):
        items = kwargs.get('input')
        items = items if isinstance(items, list) else [items]
        return wrap({'object': 'list', 'data': [{'object': 'embedding', 'index': i, 'embedding': [0.0] * 8} for i, _ in enumerate(items)]})


class _Beta(_Namespace):
    def __init__(self, client):
        super().__init__(client)
        self.chat = _Chat(client)


class OpenAI:
    def __init__(self, api_key=None, base_url=None, organization=None, project=None, timeout=None, max_retries=None, default_headers=None, **kwargs):
        self.api_key = api_key
        self.base_url = globals()['base_url'](base_url or base_url_default, 'OPENAI_BASE_URL', 'https://api.openai.com/v1')
        self._headers = dict(default_headers or {})
        self.chat = _Chat(self)
        self.completions = _Completions(self)
        self.responses = _Responses(self)
        self.models = _Models(self)
        self.embeddings = _Embeddings(self)
        self.beta = _Beta(self)

    def _post(self, path, body):
        return post('openai', self.base_url + path, body, self._headers)

    def with_options(self, **kwargs):
        return self


AzureOpenAI = OpenAI


class AsyncOpenAI:
    def __init__(self, *args, **kwargs):
        sync = OpenAI(*args, **kwargs)
        self.base_url = sync.base_url
        for name in ('chat', 'completions', 'responses', 'models', 'embeddings', 'beta'):
            setattr(self, name, AsyncWrap(getattr(sync, name)))


AsyncAzureOpenAI = AsyncOpenAI

_default = None


def _client():
    global _default
    if _default is None:
        _default = OpenAI(api_key=api_key)
    return _default


def __getattr__(name):
    # openai 1.x module-level client: openai.chat.completions.create(...)
    if name in ('chat', 'completions', 'responses', 'models', 'embeddings', 'beta'):
        return getattr(_client(), name)
    raise AttributeError(name)


class ChatCompletion:
    """openai 0.x: openai.ChatCompletion.create(...) returns a dict-like answer."""

    @staticmethod
    def create(**kwargs):
        return _client().chat.completions.create(**kwargs)

    @staticmethod
    async def acreate(**kwargs):
        return _client().chat.completions.create(**kwargs)


class Completion:
    @staticmethod
    def create(**kwargs):
        return _client().completions.create(**kwargs)
`;

const ANTHROPIC_PY = String.raw`"""Fang's stand-in for the anthropic package inside a dry-run sandbox (src/sandbox/python-stubs.ts).

The real package is not installed on this machine, so this module sends the same requests to
ANTHROPIC_BASE_URL, which points at the sandbox's stub server, and wraps the answers.
"""
from _fang_stub import AsyncWrap, StandInError, Stream, base_url, post, request_body, wrap

__version__ = '0.0.0+fang-stand-in'
FANG_STAND_IN = True
HUMAN_PROMPT = '\n\nHuman:'
AI_PROMPT = '\n\nAssistant:'

AnthropicError = StandInError
APIError = StandInError
APIConnectionError = StandInError
APIStatusError = StandInError
RateLimitError = StandInError
AuthenticationError = StandInError
BadRequestError = StandInError
NotFoundError = StandInError
APITimeoutError = StandInError
InternalServerError = StandInError


class _MessageStream(Stream):
    def __init__(self, message):
        text = ''.join(b.get('text', '') for b in message.get('content', []))
        super().__init__([wrap({'type': 'content_block_delta', 'index': 0, 'delta': {'type': 'text_delta', 'text': text}})], message)
        self.text_stream = iter([text])

    def get_final_message(self):
        return self._final

    def get_final_text(self):
        return ''.join(b.get('text', '') for b in self._final.get('content', []))

    def until_done(self):
        pass


class _Messages:
    def __init__(self, client):
        self._client = client

    def create(self, **kwargs):
        message = wrap(self._client._post('/v1/messages', request_body(kwargs)))
        return _MessageStream(message) if kwargs.get('stream') else message

    def stream(self, **kwargs):
        return _MessageStream(self.create(**kwargs))

    def count_tokens(self, **kwargs):
        return wrap({'input_tokens': 1})


class _Completions:
    def __init__(self, client):
        self._client = client

    def create(self, **kwargs):
        return wrap(self._client._post('/v1/complete', request_body(kwargs)))


class _Beta:
    def __init__(self, client):
        self.messages = _Messages(client)


class Anthropic:
    def __init__(self, api_key=None, base_url=None, auth_token=None, timeout=None, max_retries=None, default_headers=None, **kwargs):
        self.api_key = api_key
        self.base_url = globals()['base_url'](base_url, 'ANTHROPIC_BASE_URL', 'https://api.anthropic.com')
        self._headers = dict(default_headers or {})
        self.messages = _Messages(self)
        self.completions = _Completions(self)
        self.beta = _Beta(self)

    def _post(self, path, body):
        return post('anthropic', self.base_url + path, body, self._headers)

    def with_options(self, **kwargs):
        return self


AnthropicBedrock = Anthropic
AnthropicVertex = Anthropic


class AsyncAnthropic:
    def __init__(self, *args, **kwargs):
        sync = Anthropic(*args, **kwargs)
        self.base_url = sync.base_url
        for name in ('messages', 'completions', 'beta'):
            setattr(self, name, AsyncWrap(getattr(sync, name)))


AsyncAnthropicBedrock = AsyncAnthropic
AsyncAnthropicVertex = AsyncAnthropic
`;

/** The files of the stand-in folder, by path relative to it. */
export const PYTHON_STUB_FILES: Readonly<Record<string, string>> = {
  '_fang_stub.py': COMMON_PY,
  'openai/__init__.py': OPENAI_PY,
  'anthropic/__init__.py': ANTHROPIC_PY,
};

/** The packages the stand-ins answer for. */
export const PYTHON_STAND_INS = ['openai', 'anthropic'] as const;
