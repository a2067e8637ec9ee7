import type { AccessToken, TokenCredential } from '@azure/identity';
import { azureMonitorOptions } from './index';

describe('azureMonitorOptions', () => {
  it('passes the Entra credential to the exporter (Application Insights local auth is disabled)', () => {
    const credential: TokenCredential = {
      getToken: (): Promise<AccessToken | null> => Promise.resolve(null),
    };
    const cs = 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://x.invalid/';
    const options = azureMonitorOptions(cs, credential);
    expect(options.azureMonitorExporterOptions).toEqual({ connectionString: cs, credential });
    expect(options.azureMonitorExporterOptions?.credential).toBe(credential);
    expect(options.enableLiveMetrics).toBe(false);
    expect(options.instrumentationOptions?.http).toEqual({ enabled: true });
  });
});
