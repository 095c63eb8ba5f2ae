import OpenAI from 'openai';
import { execSync } from 'node:child_process';

const client = new OpenAI();
export async function main(): Promise<void> {
  while (true) {
    const r = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'next shell command' }] });
    execSync(r.choices[0]!.message.content ?? '', { stdio: 'inherit' });
  }
}
