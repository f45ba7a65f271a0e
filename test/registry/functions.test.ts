import { describe, expect, it } from 'vitest';
import { warmSetting, webUrlOrNull } from '../../src/registry/functions';

describe('function records', () => {
  it('reads warming wishes from the description', () => {
    // The default (function URLs only) is not explicit: a function without a URL is warmed by Invoke only when asked.
    expect(warmSetting('An API')).toEqual({ enabled: true, instances: 1, explicit: false });
    expect(warmSetting('Batch job [sqsflare:nowarm]')).toEqual({ enabled: false, instances: 0, explicit: false });
    expect(warmSetting('[sqsflare:warm=3] busy API')).toEqual({ enabled: true, instances: 3, explicit: true });
    expect(warmSetting('[sqsflare:warm=50]')).toEqual({ enabled: true, instances: 10, explicit: true });
    expect(warmSetting('worker [sqsflare:warm]')).toEqual({ enabled: true, instances: 1, explicit: true });
  });

  it('keeps only http(s) URLs: they become links on a public page and targets of signed pings', () => {
    expect(webUrlOrNull('https://abc.lambda-url.us-east-1.on.aws/')).toBe('https://abc.lambda-url.us-east-1.on.aws/');
    expect(webUrlOrNull('http://127.0.0.1:9001/fn/x/')).toBe('http://127.0.0.1:9001/fn/x/');
    for (const bad of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'file:///etc/passwd', 'not a url', 42, null, undefined]) {
      expect(webUrlOrNull(bad), String(bad)).toBeNull();
    }
  });
});
