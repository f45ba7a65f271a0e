/**
 * The Lambda API's answers, naming the fields sqsflare reads. The parsed objects carry whatever else AWS sent
 * (ListFunctions answers with each function's Environment too): pick fields before storing or showing them.
 */

/** ListFunctions' Functions[]. */
export interface AwsFunction {
  FunctionName: string;
  FunctionArn: string;
  Runtime?: string;
  Description?: string;
  LastModified?: string;
  /** seconds the function may run (1–900) */
  Timeout?: number;
}

/** ListFunctionUrlConfigs' FunctionUrlConfigs[]. */
export interface AwsFunctionUrlConfig {
  FunctionUrl: string;
  FunctionArn?: string;
  AuthType?: 'NONE' | 'AWS_IAM' | string;
}

/** An event source mapping's FilterCriteria: each Pattern is a JSON event pattern. */
export interface AwsFilterCriteria {
  Filters?: { Pattern?: string }[];
}

/** The fields of ListEventSourceMappings' EventSourceMappings[] that matter here. */
export interface AwsEventSourceMapping {
  UUID?: string;
  EventSourceArn?: string;
  FunctionArn?: string;
  BatchSize?: number;
  MaximumBatchingWindowInSeconds?: number;
  FunctionResponseTypes?: string[];
  ScalingConfig?: { MaximumConcurrency?: number };
  FilterCriteria?: AwsFilterCriteria;
  State?: string;
}
