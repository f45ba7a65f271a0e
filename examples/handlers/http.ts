/** The demo function-URL handler: answers every request with the current time. */
export async function handler(): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> {
  const time = new Date().toISOString();
  return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ok: true, time }) };
}
