import { changeKind, formatAttributePath, parsePlanJson, PlanFormatError } from './plan';

describe('changeKind', () => {
  it.each([
    [['create'], 'create'],
    [['update'], 'update'],
    [['delete'], 'delete'],
    [['delete', 'create'], 'replace'],
    [['create', 'delete'], 'replace'],
  ])('maps %j to %s', (actions, kind) => {
    expect(changeKind(actions)).toBe(kind);
  });

  it.each([[['no-op']], [['read']], [['forget']]])('treats %j as no change', (actions) => {
    expect(changeKind(actions)).toBeUndefined();
  });
});

describe('formatAttributePath', () => {
  it('joins keys with dots and list indexes with brackets', () => {
    expect(formatAttributePath(['network_rule_set', 0, 'default_action'])).toBe(
      'network_rule_set[0].default_action',
    );
    expect(formatAttributePath(['sku'])).toBe('sku');
  });
});

describe('parsePlanJson', () => {
  it('fails on text that is not JSON', () => {
    expect(() => parsePlanJson('{')).toThrow(PlanFormatError);
  });

  it('fails naming the field when the JSON is not a plan', () => {
    expect(() => parsePlanJson('{"resource_changes": []}')).toThrow(/format_version/);
    expect(() => parsePlanJson('{"format_version":"1.2","resource_changes":[{"address":"a"}]}')).toThrow(
      /resource_changes\.0\./,
    );
  });
});
