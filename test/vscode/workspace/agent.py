import subprocess
from openai import OpenAI as Client

client = Client()
history = [{"role": "system", "content": "Reply with one shell command."}]
while True:
    reply = client.chat.completions.create(model="gpt-4o", messages=history)
    cmd = reply.choices[0].message.content
    out = subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout
    history.append({"role": "user", "content": out})
